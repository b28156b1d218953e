// The stylesheet: a dark teal CRT in the spirit of Severance's Macrodata Refinement screen.
// Served as /style.css so the page's Content-Security-Policy needs no inline styles.
export const STYLESHEET = `
:root {
  --bg: #02161b;
  --bg-glow: #0b3440;
  --ink: #9fecff;
  --ink-dim: #4fa9bd;
  --line: #5fd3ea;
  --glow: 0 0 4px rgba(120, 230, 255, .75), 0 0 12px rgba(80, 200, 240, .35);
  color-scheme: dark;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  background: radial-gradient(ellipse at center, var(--bg-glow) 0%, var(--bg) 70%, #000 100%);
  color: var(--ink);
  font: 16px/1.4 "DejaVu Sans Mono", "Liberation Mono", ui-monospace, Menlo, Consolas, monospace;
  text-shadow: var(--glow);
  overflow-x: hidden;
}
.crt { position: relative; min-height: 100%; padding: 24px 32px 32px; display: flex; flex-direction: column; gap: 20px;
  animation: flicker 6s infinite steps(1); }
/* Scanlines and a vignette laid over everything, like glass over a phosphor screen. */
.crt::before { content: ""; position: fixed; inset: 0; pointer-events: none; z-index: 2;
  background: repeating-linear-gradient(to bottom, rgba(0, 0, 0, .22) 0 1px, transparent 1px 3px); }
.crt::after { content: ""; position: fixed; inset: 0; pointer-events: none; z-index: 3;
  background: radial-gradient(ellipse at center, transparent 55%, rgba(0, 0, 0, .65) 100%); }
.mdr-header { display: flex; align-items: center; gap: 24px; border: 2px solid var(--line); padding: 10px 18px;
  box-shadow: var(--glow), inset 0 0 18px rgba(95, 211, 234, .15); }
.file-name { font-size: 1.6rem; letter-spacing: .08em; }
.progress { flex: 1; display: flex; align-items: center; gap: 14px; }
.progress .track { flex: 1; height: 14px; border: 1px solid var(--line); }
.progress .fill { display: block; height: 100%; width: 62%; background: var(--ink); box-shadow: var(--glow);
  animation: refine 9s ease-in-out infinite alternate; }
.pct { min-width: 9ch; text-align: right; color: var(--ink-dim); }
.lumon { position: relative; width: 128px; height: 52px; display: grid; place-items: center; }
.lumon .ring { position: absolute; inset: 0; border: 2px solid var(--line); border-radius: 50%; }
.lumon .ring.middle { inset: 5px 12px; }
.lumon .ring.inner { inset: 10px 26px; }
.lumon .word { position: relative; background: #04222a; padding: 1px 7px; font-weight: bold; letter-spacing: .2em; font-size: .95rem; }
.status { margin: 0; color: var(--ink-dim); font-size: .9rem; letter-spacing: .05em; }
.grid { flex: 1; display: flex; flex-wrap: wrap; gap: 20px 34px; justify-content: center;
  align-content: flex-start; padding: 28px 8px; border-top: 1px solid var(--ink-dim); border-bottom: 1px solid var(--ink-dim); }
.cell { display: inline-block; font-size: 1.7rem; min-width: 2ch; max-width: 100%; overflow-wrap: anywhere; text-align: center;
  animation: drift 5.5s ease-in-out infinite; transition: transform .25s ease-out, color .25s; }
.cell:nth-child(3n+1) { animation-duration: 6.5s; animation-delay: -1.2s; }
.cell:nth-child(4n+2) { animation-duration: 4.8s; animation-delay: -2.9s; }
.cell:nth-child(5n+3) { animation-duration: 7.2s; animation-delay: -0.6s; }
.cell:nth-child(7n) { animation-name: drift-wide; animation-delay: -3.7s; }
.cell:hover { transform: scale(1.9); color: #fff; animation-play-state: paused; }
.message { flex: 1; display: grid; place-content: center; text-align: center; gap: 10px; border-top: 1px solid var(--ink-dim);
  border-bottom: 1px solid var(--ink-dim); padding: 48px 16px; }
.message h1 { margin: 0; font-size: 2rem; letter-spacing: .12em; animation: pulse 3s ease-in-out infinite; }
.message p { margin: 0; color: var(--ink-dim); }
.message code { color: var(--ink); }
.bins { display: grid; grid-template-columns: repeat(5, 1fr); gap: 16px; }
.bin { border: 2px solid var(--line); padding: 6px 10px; display: flex; flex-direction: column; gap: 6px; }
.bin .label { text-align: center; letter-spacing: .2em; }
.bin .bar { height: 10px; border: 1px solid var(--ink-dim); }
.bin .bar i { display: block; height: 100%; width: 35%; background: var(--ink-dim); animation: refine 11s ease-in-out infinite alternate; }
.bin:nth-child(2) .bar i { width: 71%; animation-delay: -3s; }
.bin:nth-child(3) .bar i { width: 18%; animation-delay: -6s; }
.bin:nth-child(4) .bar i { width: 54%; animation-delay: -8s; }
.bin:nth-child(5) .bar i { width: 88%; animation-delay: -1.5s; }
.coords { margin: 0; text-align: center; color: var(--ink-dim); font-size: .85rem; letter-spacing: .1em; }
@keyframes drift { 0%, 100% { transform: translate(0, 0); } 50% { transform: translate(1px, -4px); } }
@keyframes drift-wide { 0%, 100% { transform: translate(0, 0); } 33% { transform: translate(-3px, 2px); } 66% { transform: translate(2px, -3px); } }
@keyframes refine { from { width: 8%; } to { width: 92%; } }
@keyframes pulse { 0%, 100% { opacity: 1; } 50% { opacity: .55; } }
@keyframes flicker { 0% { opacity: 1; } 97% { opacity: .96; } 98% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important; transition: none !important; } }
`;
