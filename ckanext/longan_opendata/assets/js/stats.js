/* Charts of /thong-ke, drawn with the vendored Chart.js from the figures embedded in the page. */
(function () {
  "use strict";
  var source = document.getElementById("longan-chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var locale = source.getAttribute("data-locale") || document.documentElement.lang || "vi";
  var colours = ["#0b6e4f", "#f2a541", "#1d4e89", "#c8553d", "#6a994e", "#8e5572",
                 "#2a9d8f", "#e76f51", "#457b9d", "#bc6c25", "#588157", "#9d4edd"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var key = canvas.getAttribute("data-chart");
    var series = data[key];
    if (!series || !series.labels.length) { return; }
    var doughnut = key === "format";
    var vertical = key === "month";
    new Chart(canvas, {
      type: doughnut ? "doughnut" : "bar",
      data: {
        labels: series.labels,
        datasets: [{
          label: canvas.getAttribute("aria-label"),
          data: series.values,
          backgroundColor: doughnut ? colours : colours[vertical ? 2 : 0]
        }]
      },
      options: {
        locale: locale,  /* numbers in ticks and tooltips with the reader's separators */
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: (vertical || doughnut) ? "x" : "y",
        plugins: { legend: { display: doughnut } },
        scales: doughnut ? {} : {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  });
})();
