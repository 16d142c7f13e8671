/* 便民方舟 导办助手 — reads a text/event-stream response (the streamed POST /v1/chat):
 *   event: meta\ndata: {"kind": "guide", …}\n\n  →  onEvent("meta", {kind: "guide", …})
 * CRLF and CR line ends are read as LF, ":" lines are comments, several "data:" lines are joined with "\n".
 * A broken event (data that is not JSON) rejects the returned promise, and the page asks again without
 * streaming (send.js). */

/* One event block (the lines between two blank lines) → onEvent(name, parsed data); no data → nothing. */
function dispatch(block, onEvent) {
  let name = "message";
  const data = [];
  block.split("\n").forEach((line) => {
    if (!line || line.charAt(0) === ":") return;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? "" : line.slice(i + 1);
    if (value.charAt(0) === " ") value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  });
  if (!data.length) return;
  const parsed = JSON.parse(data.join("\n"));  // throws on a broken event → fallback
  onEvent(name, parsed);
}

/* Parse an SSE byte stream; calls onEvent(name, data) per event, resolves when the stream ends. */
export function readSse(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buf = "";

  function pump() {
    return reader.read().then((r) => {
      if (r.done) {
        buf += decoder.decode();
        buf = buf.replace(/\r\n?/g, "\n");
        if (buf.trim()) dispatch(buf, onEvent);
        return;
      }
      buf += decoder.decode(r.value, { stream: true });
      buf = buf.replace(/\r\n?/g, "\n");
      let idx;
      while ((idx = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        dispatch(block, onEvent);
      }
      return pump();
    });
  }
  return pump();
}
