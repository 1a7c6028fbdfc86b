/* Voronka web form. Put on any page:
 *   <div data-voronka-form="SLUG"><a href="…/forms/SLUG/">Оставить заявку</a></div>
 *   <script src="…/forms/SLUG/embed.js" async></script>
 * The form is drawn into the div; it sends the page's UTM tags, the landing page, the referrer
 * and the visit id with the request (a urlencoded POST: no CORS preflight is needed). */
(function () {
  "use strict";
  var cfg = {% autoescape off %}{{ config }}{% endautoescape %};
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];
  var VISIT_COOKIE = "voronka_vid";
  var VISIT_SECONDS = 30 * 60;
  var ID_RE = /^[A-Za-z0-9._:\-]{1,64}$/;

  function uuid() {
    var c = window.crypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) { c.getRandomValues(b); } else {
      for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); }
    }
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = "";
    for (var j = 0; j < 16; j++) { h += (b[j] + 256).toString(16).slice(1); if (j === 3 || j === 5 || j === 7 || j === 9) { h += "-"; } }
    return h;
  }
  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) { try { return decodeURIComponent(parts[i].slice(eq + 1)); } catch (e) { return ""; } }
    }
    return "";
  }
  function visitId() {
    // Shared with the tracking script (/t/voronka.js) when it is on the page; a visit lasts
    // while the visitor keeps coming back within 30 minutes.
    var id = cookie(VISIT_COOKIE);
    if (!ID_RE.test(id)) { id = uuid(); }
    try { document.cookie = VISIT_COOKIE + "=" + encodeURIComponent(id) + "; path=/; max-age=" + VISIT_SECONDS + "; SameSite=Lax"; } catch (e) { /* cookies off */ }
    return id;
  }
  function session(key, value) {
    try {
      if (value === undefined) { return window.sessionStorage.getItem(key); }
      window.sessionStorage.setItem(key, value);
    } catch (e) { /* storage off */ }
    return value === undefined ? null : value;
  }
  function utmOf(url) {
    var found = {}, any = false;
    try {
      var query = new URL(url).searchParams;
      UTM.forEach(function (k) { var v = query.get(k); if (v) { found[k] = v; any = true; } });
    } catch (e) { /* not a URL */ }
    return any ? found : null;
  }

  // The first page of the visit in this tab, and the site that sent the visitor there.
  var landing = session("voronka_landing");
  var firstReferrer = session("voronka_referrer");
  if (!landing) {
    landing = session("voronka_landing", location.href);
    firstReferrer = session("voronka_referrer", document.referrer || "");
  }
  function tracking() {
    return {
      utm: utmOf(location.href) || utmOf(landing) || {},
      landing_page: landing || location.href,
      referrer: firstReferrer || document.referrer || "",
      visit_id: visitId()
    };
  }

  function node(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== false) { e.setAttribute(k, attrs[k] === true ? "" : attrs[k]); } }
    if (text) { e.textContent = text; }
    return e;
  }
  function addStyle() {
    if (document.getElementById("voronka-form-style")) { return; }
    var s = node("style", {id: "voronka-form-style"});
    s.textContent = ".voronka-form{max-width:34rem;font:inherit}.voronka-form__row{margin:0 0 1rem}" +
      ".voronka-form__row>label{display:block;font-weight:600;margin-bottom:.25rem}" +
      ".voronka-form__check>label{display:inline;font-weight:400}" +
      ".voronka-form input:not([type=checkbox]),.voronka-form select,.voronka-form textarea{box-sizing:border-box;width:100%;padding:.5rem .6rem;font:inherit;border:1px solid #8c959f;border-radius:6px}" +
      ".voronka-form [aria-invalid=true]{border-color:#cf222e}.voronka-form__error,.voronka-form__req{color:#cf222e}" +
      ".voronka-form__error{margin:.25rem 0 0}.voronka-form__summary:empty{display:none}" +
      ".voronka-form__summary{color:#cf222e;margin:0 0 1rem}" +
      ".voronka-form__hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}";
    document.head.appendChild(s);
  }

  var counter = 0;
  function render(host) {
    if (host.getAttribute("data-voronka-ready")) { return; }
    host.setAttribute("data-voronka-ready", "1");
    var prefix = "voronka-" + cfg.slug + "-" + (++counter) + "-";
    var submissionId = uuid();
    var inputs = {}, errors = {};
    var form = node("form", {"class": "voronka-form", method: "post", action: cfg.action, "accept-charset": "utf-8"});
    var summary = node("div", {"class": "voronka-form__summary", role: "alert"});
    form.appendChild(summary);

    function row(name, labelText, required, control, isCheck) {
      var id = prefix + name;
      control.setAttribute("id", id);
      control.setAttribute("name", name);
      if (required) { control.setAttribute("required", ""); control.setAttribute("aria-required", "true"); }
      var wrap = node("div", {"class": "voronka-form__row" + (isCheck ? " voronka-form__check" : "")});
      var label = node("label", {"for": id}, labelText);
      if (required) { label.appendChild(document.createTextNode(" ")); label.appendChild(node("span", {"class": "voronka-form__req", "aria-hidden": "true"}, "*")); }
      if (isCheck) { wrap.appendChild(control); wrap.appendChild(document.createTextNode(" ")); wrap.appendChild(label); } else { wrap.appendChild(label); wrap.appendChild(control); }
      var err = node("p", {"class": "voronka-form__error", id: id + "-error", hidden: true});
      wrap.appendChild(err);
      inputs[name] = control; errors[name] = err;
      form.appendChild(wrap);
    }

    cfg.fields.forEach(function (f) {
      var c;
      if (f.type === "hidden") {
        c = node("input", {type: "hidden", name: f.name, value: f.initial || ""});
        inputs[f.name] = c; form.appendChild(c); return;
      }
      if (f.type === "textarea") { c = node("textarea", {rows: 4, placeholder: f.placeholder || null}); c.value = f.initial || ""; }
      else if (f.type === "select") {
        c = node("select", {});
        c.appendChild(node("option", {value: ""}, "— выберите —"));
        f.options.forEach(function (o) { var opt = node("option", {value: o}, o); if (o === f.initial) { opt.selected = true; } c.appendChild(opt); });
      } else if (f.type === "checkbox") { c = node("input", {type: "checkbox", value: "1"}); }
      else {
        var type = f.type === "phone" ? "tel" : f.type === "email" ? "email" : "text";
        c = node("input", {type: type, placeholder: f.placeholder || null, autocomplete: f.autocomplete || null,
          inputmode: f.type === "phone" ? "tel" : f.type === "number" ? "decimal" : null});
        c.value = f.initial || "";
      }
      row(f.name, f.label, f.required, c, f.type === "checkbox");
    });
    if (cfg.requireConsent) { row("consent", cfg.consentText, true, node("input", {type: "checkbox", value: "1"}), true); }
    var hp = node("div", {"class": "voronka-form__hp", "aria-hidden": "true"});
    var hpInput = node("input", {type: "text", name: cfg.honeypot, tabindex: "-1", autocomplete: "off"});
    hp.appendChild(hpInput);
    form.appendChild(hp);
    var button = node("button", {type: "submit"}, "Отправить");
    form.appendChild(button);
    addStyle();
    while (host.firstChild) { host.removeChild(host.firstChild); }
    host.appendChild(form);

    function showErrors(message, fieldErrors) {
      summary.textContent = message || "";
      var first = null;
      Object.keys(errors).forEach(function (name) {
        var text = fieldErrors && fieldErrors[name];
        errors[name].textContent = text || "";
        errors[name].hidden = !text;
        if (text) {
          inputs[name].setAttribute("aria-invalid", "true");
          inputs[name].setAttribute("aria-describedby", errors[name].id);
          first = first || inputs[name];
        } else {
          inputs[name].removeAttribute("aria-invalid");
          inputs[name].removeAttribute("aria-describedby");
        }
      });
      if (first && first.focus) { first.focus(); }
    }
    function refreshToken() {
      // The start time went stale (the page was open for days): take a fresh one.
      fetch(cfg.action, {headers: {"Accept": "application/json"}, mode: "cors", credentials: "omit"})
        .then(function (r) { return r.json(); })
        .then(function (s) { if (s && s._ts) { cfg.ts = s._ts; } }, function () {});
    }

    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      button.disabled = true;
      var body = new URLSearchParams();
      Object.keys(inputs).forEach(function (name) {
        var c = inputs[name];
        body.set(name, c.type === "checkbox" ? (c.checked ? "1" : "") : c.value);
      });
      body.set(cfg.honeypot, hpInput.value);
      body.set("_ts", cfg.ts);
      body.set("submission_id", submissionId);
      var t = tracking();
      Object.keys(t.utm).forEach(function (k) { body.set(k, t.utm[k]); });
      body.set("landing_page", t.landing_page);
      body.set("referrer", t.referrer);
      body.set("visit_id", t.visit_id);
      fetch(cfg.action, {method: "POST", body: body, headers: {"Accept": "application/json"}, mode: "cors", credentials: "omit"})
        .then(function (r) {
          return r.json().then(function (data) { return {status: r.status, data: data || {}}; },
                               function () { return {status: r.status, data: {}}; });
        })
        .then(function (res) {
          if (res.status >= 200 && res.status < 300) {
            var done = node("p", {"class": "voronka-form__done", role: "status"}, res.data.message || cfg.successMessage);
            host.replaceChild(done, form);
            return;
          }
          var fieldErrors = res.data.errors || {};
          if (fieldErrors._ts && res.data.error && res.data.error.indexOf("устарела") >= 0) { refreshToken(); }
          showErrors(res.data.error || "Не удалось отправить заявку. Попробуйте ещё раз.", fieldErrors);
        }, function () {
          showErrors("Не удалось отправить заявку. Проверьте подключение к интернету и попробуйте ещё раз.", {});
        })
        .then(function () { busy = false; button.disabled = false; });
    });
  }

  function init() {
    var hosts = document.querySelectorAll("[data-voronka-form]");
    for (var i = 0; i < hosts.length; i++) {
      if (hosts[i].getAttribute("data-voronka-form") === cfg.slug) { render(hosts[i]); }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
