/* Small touches of the public portal: copy buttons on code examples. */
(function () {
  "use strict";
  document.querySelectorAll("pre.longan-code").forEach(function (pre) {
    if (!navigator.clipboard) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary longan-copy";
    button.textContent = document.documentElement.lang === "en" ? "Copy" : "Sao chép";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.textContent).then(function () {
        button.textContent = document.documentElement.lang === "en" ? "Copied" : "Đã chép";
      });
    });
    pre.parentNode.insertBefore(button, pre);
  });
})();
