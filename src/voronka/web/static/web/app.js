// Voronka workspace: the few behaviours HTMX does not cover. No framework, no build step.
(function () {
  "use strict";
  const ru = (document.documentElement.lang || "ru").startsWith("ru");

  function plural(n, one, few, many) {
    const m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
    return many;
  }
  function words(seconds) {
    const total = Math.floor(Math.abs(seconds) / 60);
    const d = Math.floor(total / 1440), h = Math.floor((total % 1440) / 60), m = total % 60;
    const parts = [];
    if (ru) {
      if (d) parts.push(d + " " + plural(d, "день", "дня", "дней"));
      if (h) parts.push(h + " " + plural(h, "час", "часа", "часов"));
      if (m && !d) parts.push(m + " " + plural(m, "минута", "минуты", "минут"));
      return parts.slice(0, 2).join(" ") || "меньше минуты";
    }
    if (d) parts.push(d + (d === 1 ? " day" : " days"));
    if (h) parts.push(h + (h === 1 ? " hour" : " hours"));
    if (m && !d) parts.push(m + (m === 1 ? " minute" : " minutes"));
    return parts.slice(0, 2).join(" ") || "less than a minute";
  }
  // The SLA clocks rendered by the `sla_clock` tag tick here, and turn red when overdue.
  function tick() {
    document.querySelectorAll(".sla[data-deadline]").forEach(function (el) {
      if (!el.dataset.deadline) return;
      const left = (Date.parse(el.dataset.deadline) - Date.now()) / 1000;
      const overdue = left < 0;
      el.classList.toggle("sla--overdue", overdue);
      el.textContent = overdue
        ? (ru ? "просрочен на " : "overdue by ") + words(left)
        : (ru ? "осталось " : "left: ") + words(left);
    });
  }
  setInterval(tick, 15000);
  document.addEventListener("htmx:afterSettle", tick);

  function toast(text, kind) {
    const box = document.getElementById("toasts");
    if (!box || !text) return;
    const el = document.createElement("div");
    el.className = "toast" + (kind ? " toast--" + kind : "");
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  window.voronkaToast = toast;
  // Views answer HX-Trigger: {"toast": {"text": …, "kind": "error"}}.
  document.addEventListener("toast", function (e) { toast(e.detail.text, e.detail.kind); });
  // A refused HTMX request shows the server's message rather than failing silently.
  document.addEventListener("htmx:responseError", function (e) {
    let text = e.detail.xhr.responseText || "";
    try { text = JSON.parse(text).error || text; } catch (_) { /* plain text */ }
    if (text.length > 300 || text.trim().startsWith("<")) text = ru ? "Не удалось выполнить действие." : "The action failed.";
    toast(text, "error");
  });

  document.addEventListener("click", function (e) {
    const toggle = e.target.closest("[data-toggle-nav]");
    if (toggle) {
      const nav = document.getElementById(toggle.getAttribute("aria-controls"));
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    if (!e.target.closest(".global-search")) {
      const box = document.getElementById("search-suggest");
      if (box) box.innerHTML = "";
    }
  });
  // "Select all" checkboxes for bulk actions: <input type=checkbox data-select-all="name">.
  document.addEventListener("change", function (e) {
    const name = e.target.dataset && e.target.dataset.selectAll;
    if (!name) return;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = e.target.checked;
    });
  });

  // A part of a form that matters only for one choice of a radio group:
  // data-show-if="name=value" hides it (and keeps its values) for the other choices.
  function showIf() {
    document.querySelectorAll("[data-show-if]").forEach(function (el) {
      const [name, value] = el.dataset.showIf.split("=");
      const checked = document.querySelector('input[name="' + name + '"]:checked');
      el.hidden = !!checked && checked.value !== value;
    });
  }
  // A radio group whose default depends on another choice: data-defaults-from="kind" and
  // data-defaults='{"person": "contact", "legal": "company"}'. Once the user picks a value
  // in the group themselves, it is left alone.
  function followDefaults(name, value) {
    document.querySelectorAll('[data-defaults-from="' + name + '"]:not([data-touched])')
      .forEach(function (group) {
        const wanted = JSON.parse(group.dataset.defaults)[value];
        const radio = group.querySelector('input[type=radio][value="' + wanted + '"]');
        if (radio) radio.checked = true;
      });
  }
  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!(target.matches && target.matches("input[type=radio]"))) return;
    const group = target.closest("[data-defaults-from]");
    if (group) group.dataset.touched = "1";
    followDefaults(target.name, target.value);
    showIf();
  });
  document.addEventListener("DOMContentLoaded", showIf);
})();
