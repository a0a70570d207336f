// The view of planner.ui.kit.charts.Chart: one plotly.js plot per chart, drawn with
// Plotly.react, so that a new figure redraws the plot in place (a diff of the
// old one) instead of building a new output area, as the plotly MIME renderer
// does for each new output (new plot, full redraw, then a PNG snapshot).
//
// plotly.js comes from JupyterLab's plotly extension (jupyterlab-plotly, part of
// the plotly package): plotly.js sets window.Plotly when that renderer first
// draws a figure, and every planner page with charts shows one hidden figure for
// that (planner.ui.kit.charts.plotly_loader).

const NOTICE_MS = 15000;

// Resolves with plotly.js once window.Plotly is there. A busy page (many
// sessions on a small server) can take long to get there, so it never gives
// up; after NOTICE_MS it calls onSlow once, to say what the chart waits for.
function plotly(onSlow) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  return new Promise((resolve) => {
    const started = performance.now();
    let noticed = false;
    const timer = setInterval(() => {
      if (window.Plotly) {
        clearInterval(timer);
        resolve(window.Plotly);
      } else if (!noticed && performance.now() - started > NOTICE_MS) {
        noticed = true;
        onSlow();
      }
    }, 20);
  });
}

function render({ model, el }) {
  const plot = document.createElement("div");
  plot.className = "planner-plot";
  el.appendChild(plot);
  let Plotly = null;
  let alive = true;
  let width = 0;

  const draw = () => {
    if (!Plotly || !alive) return;
    const figure = model.get("figure") || {};
    Plotly.react(plot, figure.data || [], figure.layout || {}, figure.config || {});
    width = el.clientWidth;
  };
  // Follow the page's layout (a sidebar opening, a window resize), not only the window.
  const resizes = new ResizeObserver(() => {
    if (Plotly && alive && plot.data && el.clientWidth > 0 && el.clientWidth !== width) {
      width = el.clientWidth;
      Plotly.Plots.resize(plot);
    }
  });

  const notice = document.createElement("div");
  notice.className = "planner-chart-waiting";
  plotly(() => {
    notice.textContent = "Waiting for plotly.js, which the plotly package's JupyterLab extension provides\u2026";
    el.appendChild(notice);
  }).then((loaded) => {
    notice.remove();
    Plotly = loaded;
    draw();
    resizes.observe(el);
  });
  model.on("change:figure", draw);

  return () => {
    alive = false;
    resizes.disconnect();
    model.off("change:figure", draw);
    if (Plotly) Plotly.purge(plot);
  };
}

export default { render };
