// The user's estate of planner.ui.kit.estate.EstateLink: the files the user chose,
// kept in this browser (IndexedDB of the page's origin, one record per server
// base URL), never on the server. On render the stored record is sent to the
// page's kernel; the kernel asks to keep ("keep") or forget ("forget") a record
// once it has read the files without error.
const DB = "planner-estate";
const STORE = "estate";

function baseUrl() {
  // Voila and JupyterLab write their configuration, with the server's base URL
  // (e.g. /user/alice/ on JupyterHub), into the page.
  try {
    const el = document.getElementById("jupyter-config-data");
    const url = el ? JSON.parse(el.textContent).baseUrl : null;
    if (url) return url;
  } catch (err) { /* fall through */ }
  return "/";
}

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function bytesOf(view) {
  // ipywidgets hands buffers over as DataViews of a larger ArrayBuffer
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

function render({ model, el }) {
  el.classList.add("planner-estate");
  const line = document.createElement("div");
  line.className = "planner-estate-label";
  const show = () => {
    line.textContent = model.get("label");
    el.style.display = model.get("label") ? "" : "none";
  };
  show();
  model.on("change:label", show);
  el.append(line);
  const key = baseUrl();
  model.on("msg:custom", async (msg, buffers) => {
    try {
      if (msg.event === "keep") {
        const files = msg.names.map((name, i) => ({ name, content: bytesOf(buffers[i]) }));
        await run("readwrite", (s) => s.put({ choice: msg.choice, files, saved: Date.now() }, key));
      } else if (msg.event === "forget") {
        await run("readwrite", (s) => s.delete(key));
      }
      model.send({ event: "kept", request: msg.request });
    } catch (err) {
      model.send({ event: "storage_error", request: msg.request, message: String(err) });
    }
  });
  if (model.get("sent")) return;     // a second view of the same page: the kernel has the files
  (async () => {
    let record = null;
    try {
      record = await run("readonly", (s) => s.get(key));
    } catch (err) {
      model.send({ event: "storage_error", message: String(err) });
    }
    const files = record && Array.isArray(record.files) ? record.files : [];
    if (files.length || (record && record.choice && record.choice !== "estate")) {
      // until the kernel has read them, say that the figures below are about to change
      line.textContent = "Loading your scenario from this browser \u2026";
      el.style.display = "";
    }
    model.set("sent", true);
    model.save_changes();
    model.send({ event: "stored", choice: record ? record.choice : null,
                 names: files.map((f) => f.name) }, undefined, files.map((f) => f.content));
  })();
}

export default { render };
