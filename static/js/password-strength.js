/* Shows the strength of a new password as it is typed, with the reason when the portal would refuse it.
   Progressive enhancement: without this script the form still says why on submit. Same-origin POST only
   (the password never goes in a URL); the answer comes from the validators that decide. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="cqpt-password-strength"]');
  if (!meta || !window.fetch) { return; }
  var url = meta.getAttribute("content");

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function attach(input) {
    var form = input.form;
    if (!form) { return; }
    var box = document.createElement("div");
    box.className = "password-strength mt-1 small";
    box.id = input.id + "-strength";
    box.setAttribute("aria-live", "polite");
    var meter = document.createElement("meter");
    meter.min = 0; meter.max = 4; meter.low = 2; meter.high = 3; meter.optimum = 4; meter.value = 0;
    meter.setAttribute("aria-hidden", "true");
    var text = document.createElement("p");
    text.className = "mb-0";
    box.appendChild(meter);
    box.appendChild(text);
    input.insertAdjacentElement("afterend", box);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + box.id);

    var timer = null;
    var sent = 0;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (!input.value) { meter.value = 0; text.textContent = ""; return; }
        var body = new URLSearchParams();
        body.set("password", input.value);
        var mine = ++sent;
        fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(form), "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString()
        }).then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) {
            if (!data || mine !== sent) { return; }
            meter.value = data.score;
            var level = (document.documentElement.lang === "en" ? "Strength: " : "Solidité : ") + data.label;
            text.textContent = data.accepted ? level : level + ". " + data.reasons.join(" ");
            text.className = "mb-0 " + (data.accepted ? "text-success" : "text-danger");
          })
          .catch(function () { /* the server-side check on submit still applies */ });
      }, 300);
    });
  }

  document.querySelectorAll('input[type="password"][autocomplete="new-password"]').forEach(function (input, index) {
    if (index === 0 || !/2$/.test(input.name)) { attach(input); }
  });
})();
