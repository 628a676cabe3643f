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

/* Vietnamese-aware URL slugs in CKAN's forms (the "URL" preview of a new dataset or agency):
   "Số lượng trường học" → "so-luong-truong-hoc", as slug.py does on the server. CKAN's own
   slugify only maps a few Latin letters and turns the other Vietnamese ones into hyphens. */
(function () {
  "use strict";
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D");
  }
  function patch() {
    var url = window.jQuery && window.jQuery.url;
    if (!url || url.slugify.longanFolded) { return Boolean(url); }
    var original = url.slugify;
    url.slugify = function (string, trim) { return original.call(this, fold(string), trim); };
    url.slugify.longanFolded = true;
    return true;
  }
  if (!patch()) { document.addEventListener("DOMContentLoaded", patch); }
})();
