/* Where to look's words from the server's data, in the page's language (text only: the caller puts it in the page
   as text): the ring table's source and the note on a repaired outline. */

/** The ring table's row ("dementia/urban", "child_10_12/urban (no data for child_13_15)", "median of all
    categories/urban", "... (IGT4SAR fallback, not a statistic)") in the page's words, never the raw keys. */
export function ringSourceText(src, t) {
  const m = /^(median of all categories|[a-z0-9_]+)\/([a-z_]+)(.*)$/.exec(src || "");
  if (!m) return src || "";
  const word = (group, v) => { const k = `${group}.${v}`; const x = t(k); return x === k ? v : x; };
  const who = m[1] === "median of all categories" ? t("where.ring_src_median") : word("category", m[1]);
  let text = `${who} · ${word("terrain", m[2])}`;
  if (/IGT4SAR fallback/.test(m[3])) text += ` · ${t("where.ring_src_fallback")}`;
  const nodata = /no data for ([a-z0-9_]+)/.exec(m[3]);
  if (nodata) text += ` · ${t("where.ring_src_nodata", { category: word("category", nodata[1]) })}`;
  return text;
}

/** The server's note on a repaired outline ({repairs: [{code, n}]}) in the page's language, or "" if none. */
export function repairText(answer, t) {
  const items = (answer && answer.repairs) || [];
  if (!items.length) return "";
  const parts = items.map((r) => {
    const key = "geomfix." + r.code + ((r.n === 1 && r.code !== "largest") ? "_one" : "");
    return t(key, {n: r.n});
  });
  return t("geomfix.title", {details: parts.join(t("geomfix.sep"))});
}
