// The view of planner.ui.kit.charts.Chart: one plotly.js plot per chart, drawn with
// Plotly.react, so that a new figure redraws the plot in place (a diff of the
// old one) instead of building a new output area, as the plotly MIME renderer
// does for each new output (new plot, full redraw, then a PNG snapshot).
//
// plotly.js is the partial bundle the planner ships (planner/_assets.py), loaded
// once per page and shared by its charts (window.Plotly):
// 1. window.Plotly is there already (another chart loaded it, or JupyterLab's
//    plotly extension did);
// 2. else the page's <script id="planner-plotly">, which the planner's Voila
//    puts in the head of every page (async, cached by the browser);
// 3. else, or when that script failed, the kernel sends the bundle: the chart
//    sends {type: "plotly.js?"} and gets {type: "plotly.js"} with the file's
//    bytes in one buffer (planner.ui.kit.charts.Chart._answer). That is the way in
//    JupyterLab and in Voila run as a Jupyter server extension (JupyterHub).

const NOTICE_MS = 15000;
const SCRIPT_ID = "planner-plotly";   // planner._assets.PLOTLY_SCRIPT_ID

function fromPage() {
  const script = document.getElementById(SCRIPT_ID);
  if (!script || script.dataset.failed) return Promise.reject(new Error("no page copy"));
  return new Promise((resolve, reject) => {
    script.addEventListener("load", () => (window.Plotly ? resolve(window.Plotly) : reject(new Error("no Plotly"))));
    script.addEventListener("error", reject);
    // it may have run between the check above and now
    if (window.Plotly) resolve(window.Plotly);
    else if (script.dataset.failed) reject(new Error("page copy failed"));
  });
}

function fromKernel(model) {
  return new Promise((resolve, reject) => {
    const answer = (msg, buffers) => {
      if (!msg || msg.type !== "plotly.js") return;
      model.off("msg:custom", answer);
      const script = document.createElement("script");
      script.src = URL.createObjectURL(new Blob([buffers[0]], { type: "text/javascript" }));
      script.onload = () => { URL.revokeObjectURL(script.src); resolve(window.Plotly); };
      script.onerror = reject;
      document.head.appendChild(script);
    };
    model.on("msg:custom", answer);
    model.send({ type: "plotly.js?" });
  });
}

// Resolves with plotly.js. A busy page (many sessions on a small server) can
// take long to get there, so it never gives up; after NOTICE_MS it calls
// onSlow once, to say what the chart waits for.
function plotly(model, onSlow) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__plannerPlotly) {
    window.__plannerPlotly = fromPage().catch(() => fromKernel(model));
    window.__plannerPlotly.catch(() => { window.__plannerPlotly = null; });
  }
  const timer = setTimeout(onSlow, NOTICE_MS);
  return window.__plannerPlotly.finally(() => clearTimeout(timer));
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
  plotly(model, () => {
    notice.textContent = "Waiting for plotly.js, which draws the chart\u2026";
    el.appendChild(notice);
  }).then((loaded) => {
    notice.remove();
    Plotly = loaded;
    draw();
    resizes.observe(el);
  }).catch((err) => {
    notice.textContent = `plotly.js could not be loaded, so the chart cannot be drawn (${err}).`;
    el.appendChild(notice);
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
