// The quiz page: htmx saves each click (see question.html); this script says when saving failed, resends the
// answer when the network comes back, and counts the time down from the server's figure.
(function () {
  "use strict";
  var script = document.currentScript;
  var text = function (name) { return script.getAttribute("data-" + name + "-text"); };
  var status = document.getElementById("save-status");
  var choices = document.getElementById("answer-choices");
  var pending = false;

  function say(message, cls, state) {
    var span = document.createElement("span");
    span.className = cls;
    span.setAttribute("data-save-state", state);
    if (state === "error") { span.setAttribute("role", "alert"); }
    span.textContent = message;
    status.replaceChildren(span);
  }

  function resend() {
    if (pending && choices && navigator.onLine !== false) {
      say(text("retrying"), "text-body-secondary", "retrying");
      htmx.trigger(choices, "change");
    }
  }

  document.body.addEventListener("htmx:sendError", function () {
    pending = true;
    say(text("offline"), "text-danger fw-semibold", "error");
  });
  document.body.addEventListener("htmx:responseError", function () {
    pending = true;
    say(text("failed"), "text-danger fw-semibold", "error");
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    var saved = status.querySelector("[data-save-state=saved]");
    if (saved) {
      pending = false;
      var remaining = parseInt(saved.getAttribute("data-remaining"), 10);
      if (!isNaN(remaining)) { setRemaining(remaining); }
    }
  });
  window.addEventListener("online", resend);
  setInterval(resend, 5000);

  // The countdown: the server's remaining seconds, re-synchronised at each save.
  var timer = document.getElementById("quiz-timer");
  var value = document.getElementById("quiz-timer-value");
  var warning = document.getElementById("quiz-timer-warning");
  var endsAt = null;
  function setRemaining(seconds) { endsAt = Date.now() + seconds * 1000; tick(); }
  function tick() {
    if (endsAt === null) { return; }
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60), seconds = left % 60;
    value.textContent = minutes + " " + text("minutes") + " " + (seconds < 10 ? "0" : "") + seconds + " s";
    if (left === 0 && !warning.textContent) {
      warning.textContent = text("timeup");
      warning.classList.remove("visually-hidden");
      warning.classList.add("alert", "alert-warning");
      setTimeout(function () { window.location.reload(); }, 15000);
    }
  }
  if (timer) {
    setRemaining(parseInt(timer.getAttribute("data-remaining"), 10) || 0);
    setInterval(tick, 1000);
  }
}());
