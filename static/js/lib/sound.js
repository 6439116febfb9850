/* search-coord: the alert tones, made with WebAudio (no audio file): a pattern of beeps per kind of alert, so a
   dispatcher can tell FOUND or a help request from a new clue without looking. Muting is remembered on this
   device. playTone(kind) -> whether it sounded; every call is noted in SC.debug.sounds for the tests. */
import { debug } from "./debug.js";

const KEY = "sc.soundMuted";
/** [frequency Hz, duration s, pause s] beeps per kind: urgent kinds are higher, longer and repeated. */
const PATTERNS = {
  help: [[1320, 0.18, 0.07], [990, 0.18, 0.07], [1320, 0.18, 0.07], [990, 0.18, 0.07], [1320, 0.3, 0]],
  found: [[660, 0.15, 0.05], [880, 0.15, 0.05], [1100, 0.4, 0]],
  sighting: [[880, 0.12, 0.08], [880, 0.12, 0.08], [1175, 0.25, 0]],
  clue: [[880, 0.14, 0.08], [1175, 0.22, 0]],
  silent: [[440, 0.3, 0.12], [440, 0.3, 0]],
};
let ctx = null;
debug.sounds = [];

export function isMuted() {
  try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
}
export function setMuted(on) {
  try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
}

/** Make the audio context on a user's gesture (browsers start it suspended otherwise). */
export function unlockAudio() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC) return;
  if (!ctx) ctx = new AC();
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
}

/** Sound the pattern of ``kind``; false when muted or the browser has no WebAudio. */
export function playTone(kind) {
  const muted = isMuted();
  debug.sounds.push({ kind, at: Date.now(), muted });
  if (muted) return false;
  unlockAudio();
  if (!ctx) return false;
  let at = ctx.currentTime + 0.02;
  for (const [freq, dur, pause] of PATTERNS[kind] || PATTERNS.clue) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "square";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + dur);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + dur + 0.02);
    at += dur + pause;
  }
  return true;
}
