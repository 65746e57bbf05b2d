// Behaviour every page may use, without inline handlers (the Content-Security-Policy forbids them):
// a form with data-confirm asks before it is sent; a select with data-autosubmit sends its form.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.dataset && field.dataset.autosubmit !== undefined && field.form) { field.form.submit(); }
  });
})();
