// "增加一行" for the formset tables of a plain form (no live preview).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form.formset-rows .formset"), function (box) {
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var tpl = box.querySelector("template");
    box.querySelector(".add-row").addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      box.querySelector("tbody").insertAdjacentHTML("beforeend", tpl.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
    });
  });
})();
