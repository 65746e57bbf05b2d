// Section edit page: live figures and checks from the server, and "增加一行" for tables.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form) { return; }
  var live = document.getElementById("live");
  var timer = null;
  var latest = 0;  // the newest request; an older response arriving after it is dropped

  function refresh() {
    var body = new FormData(form);
    var sent = ++latest;
    fetch(form.dataset.computeUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": body.get("csrfmiddlewaretoken")}
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (sent !== latest) { return; }  // the form changed since: a newer answer is on its way
      if (result.ok) {
        var opened = Array.prototype.map.call(live.querySelectorAll("details"), function (d) { return d.open; });
        live.innerHTML = result.html;
        Array.prototype.forEach.call(live.querySelectorAll("details"), function (d, i) { d.open = !!opened[i]; });
      } else {
        var list = document.createElement("ul");
        list.className = "findings";
        result.errors.forEach(function (msg) {
          var li = document.createElement("li");
          li.className = "f-error";
          li.textContent = msg;
          list.appendChild(li);
        });
        live.innerHTML = "<h3>填写错误</h3>";
        live.appendChild(list);
      }
    }).catch(function () { /* offline: the server checks again on save */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });

  Array.prototype.forEach.call(form.querySelectorAll(".formset"), function (box) {
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var tpl = box.querySelector("template");
    box.querySelector(".add-row").addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = tpl.innerHTML.replace(/__prefix__/g, String(index));
      box.querySelector("tbody").insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  });
})();
