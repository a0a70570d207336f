// Upload button of planner.ui.kit.uploads.Upload: checks each file's size in the
// browser before anything is sent, so a file above the limit gets a message
// instead of a websocket message the server refuses (and a silent reconnect).
function megabytes(bytes) {
  return (bytes / 1e6).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function limitOf(model, name) {
  const limits = model.get("limits") || {};
  const dot = name.lastIndexOf(".");
  const suffix = dot >= 0 ? name.slice(dot).toLowerCase() : "";
  return suffix in limits ? limits[suffix] : model.get("default_limit");
}

function render({ model, el }) {
  el.classList.add("planner-upload");
  const input = document.createElement("input");
  input.type = "file";
  input.style.display = "none";
  const button = document.createElement("button");
  button.className = "jupyter-widgets jupyter-button widget-button widget-upload";
  const status = document.createElement("div");
  status.className = "planner-upload-status";
  const update = () => {
    input.accept = model.get("accept");
    input.multiple = model.get("multiple");
    button.textContent = model.get("description");
  };
  update();
  model.on("change:description", update);
  button.addEventListener("click", () => { input.value = ""; input.click(); });
  input.addEventListener("change", async () => {
    const files = Array.from(input.files || []);
    if (!files.length) return;
    const large = files.filter((f) => f.size > limitOf(model, f.name));
    if (large.length) {
      status.textContent = large.map((f) => `${f.name}: ${megabytes(f.size)} MB is too large ` +
        `(at most ${megabytes(limitOf(model, f.name))} MB)`).join("; ");
      model.send({ event: "too_large", files: large.map((f) => ({ name: f.name, size: f.size })) });
      return;
    }
    status.textContent = `reading ${files.map((f) => f.name).join(", ")} \u2026`;
    try {
      const buffers = await Promise.all(files.map((f) => f.arrayBuffer()));
      model.send({ event: "files", files: files.map((f) => ({ name: f.name, size: f.size, type: f.type })) },
                 undefined, buffers);
      status.textContent = "";
    } catch (err) {
      status.textContent = `could not read the file: ${err}`;
    }
  });
  el.append(button, input, status);
}

export default { render };
