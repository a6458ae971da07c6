/* The cockpit's charts (ECharts, served by this site): reports per week with the share resolved and resolved in
   time, points granted per week, reports per category. The figures come from the page (#cockpit-data); the
   tables beside the charts hold the same numbers for those who do not see the charts. */
(function () {
  "use strict";
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var dark = document.body.classList.contains("screen");
  var text = dark ? "#e6edf5" : "#3b4350";
  var grid = { left: 44, right: 44, top: 36, bottom: 28 };
  var base = { textStyle: { fontSize: 13, color: text }, legend: { top: 0, textStyle: { color: text, fontSize: 13 } },
               tooltip: { trigger: "axis" }, grid: grid, animation: false };
  var axisLabel = { color: text, fontSize: 12 };
  var charts = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) return;
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({}, base, option));
    charts.push(chart);
  }

  draw("chart-reports", {
    xAxis: { type: "category", data: data.weeks, axisLabel: axisLabel },
    yAxis: [{ type: "value", minInterval: 1, axisLabel: axisLabel },
            { type: "value", min: 0, max: 100, axisLabel: Object.assign({ formatter: "{value}%" }, axisLabel) }],
    series: [
      { name: data.labels.filed, type: "bar", data: data.filed, itemStyle: { color: "#b3261e" } },
      { name: data.labels.closure, type: "line", yAxisIndex: 1, data: data.closure, itemStyle: { color: "#2e7d32" } },
      { name: data.labels.on_time, type: "line", yAxisIndex: 1, data: data.on_time, itemStyle: { color: "#1565c0" } }
    ]
  });
  draw("chart-points", {
    xAxis: { type: "category", data: data.weeks, axisLabel: axisLabel },
    yAxis: { type: "value", minInterval: 1, axisLabel: axisLabel },
    series: [{ name: data.labels.points, type: "bar", data: data.points, itemStyle: { color: "#c77800" } }]
  });
  if (data.categories.length) {
    draw("chart-categories", {
      legend: { show: false }, grid: { left: 96, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1, axisLabel: axisLabel },
      yAxis: { type: "category", data: data.categories.slice().reverse(), axisLabel: axisLabel },
      series: [{ name: data.labels.filed, type: "bar", data: data.category_filed.slice().reverse(),
                 itemStyle: { color: "#b3261e" } }]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
