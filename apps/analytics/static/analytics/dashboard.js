// Draws the staff dashboard's charts from the specs the page embeds (#dashboard-charts).
(function () {
  "use strict";

  const naira = new Intl.NumberFormat("en-NG", { style: "currency", currency: "NGN", maximumFractionDigits: 0 });
  const count = new Intl.NumberFormat("en-NG");
  const formats = {
    naira: (value) => naira.format(value),
    percent: (value) => value.toFixed(1) + " %",
    count: (value) => count.format(value),
  };

  function dataset(spec, stacked) {
    const line = spec.type === "line";
    return {
      type: spec.type,
      label: spec.label,
      data: spec.data,
      backgroundColor: line ? spec.colour : spec.colour + "cc",
      borderColor: spec.colour,
      borderWidth: line ? 2 : 0,
      pointRadius: line ? 2 : 0,
      spanGaps: true,
      stack: line ? undefined : spec.stack,
      order: line ? 0 : 1,
    };
  }

  function draw(spec) {
    const canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) return;
    const format = formats[spec.valueFormat] || formats.count;
    const valueAxis = spec.horizontal ? "x" : "y";
    const scales = { x: { stacked: spec.stacked }, y: { stacked: spec.stacked } };
    scales[valueAxis].ticks = { callback: (value) => format(value) };
    scales[valueAxis].beginAtZero = true;
    new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: spec.datasets.map((d) => dataset(d, spec.stacked)) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (item) => item.dataset.label + ": " + format(item.parsed[valueAxis]),
            },
          },
        },
        scales: scales,
      },
    });
  }

  function start() {
    const source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) return;
    JSON.parse(source.textContent).forEach(draw);
    document.documentElement.dataset.chartsDrawn = "true";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
