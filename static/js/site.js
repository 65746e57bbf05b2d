// Behaviour every page may use, without inline handlers (the Content-Security-Policy forbids them):
// a form with data-confirm asks before it is sent; a select with data-autosubmit sends its form;
// a form posts once (a double click would otherwise send the action twice); "复制" buttons
// (data-copy) copy the text of the element they name.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if ((form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // a form that stays on the page (a download) may be sent again a little later
    setTimeout(function () { delete form.dataset.sent; }, 5000);
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (f) { delete f.dataset.sent; });
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.dataset && field.dataset.autosubmit !== undefined && field.form) { field.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    function done(ok) { if (status) { status.textContent = ok ? "已复制，可粘贴到其他文档保存。" : "请按 Ctrl+C 复制已选中的内容。"; } }
    source.focus();
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(function () { done(true); }, function () { done(document.execCommand("copy")); });
    } else {
      done(document.execCommand("copy"));
    }
  });
})();
