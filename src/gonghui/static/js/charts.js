/* Draw the charts of a page from JSON embedded with Django's json_script.
 *
 * <div class="chart" data-chart="gender" data-chart-source="dashboard-charts"></div>
 * {{ charts|json_script:"dashboard-charts" }}  ->  {"gender": {"type": "pie", "data": [{name, value}]}}
 *
 * Types: "bar" (category axis) and "pie". ECharts is served locally (static/vendor).
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", ' +
    '"WenQuanYi Micro Hei", system-ui, sans-serif';
  var COLOURS = ["#b71c1c", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00",
    "#4e342e", "#546e7a", "#ad1457"];
  var charts = [];

  function option(spec) {
    var base = { color: COLOURS, textStyle: { fontFamily: FONT }, animation: false };
    var data = spec.data || [];
    if (spec.type === "pie") {
      base.tooltip = { trigger: "item", formatter: "{b}: {c} ({d}%)" };
      base.legend = { bottom: 0, type: "scroll", textStyle: { fontFamily: FONT } };
      base.series = [{
        type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data,
        label: { formatter: "{b}\n{c}", fontFamily: FONT }
      }];
      return base;
    }
    base.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    base.grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };
    base.xAxis = {
      type: "category", data: data.map(function (d) { return d.name; }),
      axisLabel: { interval: 0, rotate: data.length > 6 ? 30 : 0, fontFamily: FONT }
    };
    base.yAxis = { type: "value", minInterval: 1 };
    base.series = [{
      type: "bar", data: data.map(function (d) { return d.value; }),
      label: { show: true, position: "top" }, barMaxWidth: 48
    }];
    return base;
  }

  function render(root) {
    if (!window.echarts) { return; }
    var sources = {};
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var id = el.dataset.chartSource;
      if (!(id in sources)) {
        var script = document.getElementById(id);
        sources[id] = script ? JSON.parse(script.textContent) : {};
      }
      var spec = sources[id][el.dataset.chart];
      if (!spec) { return; }
      var existing = window.echarts.getInstanceByDom(el);
      if (existing) { existing.dispose(); }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (e) { render(e.target); });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { if (!c.isDisposed()) { c.resize(); } });
  });
  window.gonghuiCharts = { render: render };
})();
