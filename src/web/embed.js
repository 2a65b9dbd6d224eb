// wscam's /embed/NAME page: one <wscam-player> filling the frame, its attributes from the address
// (the stream from the path; ?token=, ?codec=, ?fit=, ?stats=1, ?controls=0). The page is the
// camera server's own, so its WebSockets pass the Origin check whichever site frames it.

import './player.js';
import { params, streamInPath } from './page_address.js';

const player = document.createElement('wscam-player');
const stream = location.pathname.match(/^\/embed\/([A-Za-z0-9_-]{1,64})$/)?.[1] || streamInPath(location.pathname) || 'default';
player.setAttribute('stream', stream);
for (const name of ['token', 'codec', 'fit']) if (params.get(name)) player.setAttribute(name, params.get(name));
if (params.get('stats') === '1') player.setAttribute('stats', '');
if (params.get('controls') !== '0') player.setAttribute('controls', '');
document.title = `wscam · ${stream}`;
document.body.append(player);
// A hook for tests and measurements, as the viewer page's window.wscamStats.
window.wscamPlayer = player;
