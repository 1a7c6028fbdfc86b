// Voronka reports: draws the charts whose data the page holds in <script type="application/json">
// blocks (json_script). Without JavaScript the table under each chart shows the same numbers.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;
  const ru = (document.documentElement.lang || "ru").startsWith("ru");
  const locale = ru ? "ru-RU" : "en-US";
  const COLORS = ["#2f6fed", "#12805c", "#d97706", "#9b51e0", "#d92d20", "#0e9384", "#667085",
                  "#c11574", "#4e5ba6", "#b54708"];
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  function format(kind, value) {
    if (value === null || value === undefined) return "—";
    if (kind === "money") return money.format(value) + "\u00a0₽";
    if (kind === "share") return number.format(Math.round(value * 1000) / 10) + "\u00a0%";
    if (kind === "duration") return number.format(Math.round(value / 60)) + (ru ? "\u00a0мин" : "\u00a0min");
    return number.format(value);
  }

  function config(data) {
    const pie = data.type === "pie";
    const line = data.type === "line";
    const datasets = data.datasets.map(function (set, index) {
      const color = COLORS[index % COLORS.length];
      return {
        label: set.label, data: set.data, kind: set.kind,
        backgroundColor: pie ? data.labels.map(function (_, i) { return COLORS[i % COLORS.length]; }) : color,
        borderColor: pie ? "#fff" : color,
        borderDash: line && index > 0 ? [6, 4] : undefined,
        pointRadius: line ? 2 : undefined,
        tension: 0.2,
        spanGaps: true,
      };
    });
    const valueAxis = data.horizontal ? "x" : "y";
    const scales = pie ? {} : {
      x: { stacked: data.stacked, beginAtZero: true },
      y: { stacked: data.stacked, beginAtZero: true },
    };
    if (!pie) {
      const kind = data.datasets[0].kind;
      scales[valueAxis].ticks = {
        precision: kind === "count" || kind === "money" ? 0 : undefined,
        callback: function (value) { return format(kind, value); },
      };
    }
    return {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: locale,
        indexAxis: data.horizontal ? "y" : "x",
        scales: scales,
        plugins: {
          legend: { display: pie || datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                const name = pie ? item.label : item.dataset.label;
                return name + ": " + format(item.dataset.kind, item.raw);
              },
            },
          },
        },
      },
    };
  }

  function draw() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      const source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config(JSON.parse(source.textContent)));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
