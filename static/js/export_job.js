// Export job page: poll the job's status until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("job-label").textContent = job.label;
        document.getElementById("job-bar").value = job.progress;
        document.getElementById("job-percent").textContent = job.progress + "%";
        if (job.error) {
          var err = document.getElementById("job-error");
          err.textContent = job.error; err.hidden = false;
        }
        if (job.done) { window.location.reload(); return; }
        if (job.in_progress) { setTimeout(poll, 1000); } else { window.location.reload(); }
      }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.polling) { setTimeout(poll, 500); }
})();
