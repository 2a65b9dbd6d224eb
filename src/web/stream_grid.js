// wscam viewer, a tile of the grid of cameras (#grid, shown when the server has several): a
// button with the camera's own StreamView on its canvas, its name with the state as a dot and as a
// title, why it shows no picture, and the motion indicator while an event goes on. A click opens
// the camera.

import { StreamView } from './stream_view.js';

/** One tile, appended to `grid`; returns its view. codec: what the view asks for; onOpen(): the tile was clicked. */
export function addTile(grid, stream, { codec, onOpen }) {
  const tile = document.createElement('button');
  tile.type = 'button';
  tile.className = 'tile';
  tile.title = `Open ${stream}`;
  const canvas = document.createElement('canvas');
  const label = document.createElement('span');
  label.className = 'tile-label';
  label.textContent = stream;
  const reason = document.createElement('span');
  reason.className = 'tile-reason';
  const motion = document.createElement('span');  // while a motion event of the camera goes on
  motion.className = 'motion';
  motion.textContent = 'Motion';
  motion.hidden = true;
  tile.append(canvas, reason, label, motion);
  tile.onclick = onOpen;
  grid.append(tile);
  let note = '';  // why this tile is not H.264 when H.264 was chosen
  const view = new StreamView(stream, canvas, {
    codec,
    onState: (state, why) => {
      label.className = `tile-label ${state}`;
      label.title = [why || state, note].filter(Boolean).join('; ');
      reason.textContent = state === 'live' ? '' : why || state;
    },
    onEvent: (msg) => { motion.hidden = msg.state !== 'start'; },
    onCodec: (v) => {
      note = v.stats.codecNote;
      label.dataset.codec = v.stats.codec || '';
      label.title = [v.stats.reason || v.stats.state, note].filter(Boolean).join('; ');
    },
  });
  view.setPaused(document.hidden);  // a grid opened in a hidden tab starts paused
  return view;
}
