// wscam viewer, the bar under a recorded stream's picture: its timeline (recording_timeline.js)
// and, while the past plays, the player's buttons (recording_player.js): pause, step, speed, and
// Live, which ends the past. Shown only for a stream that has recordings. The page is told when
// the past starts (onPast: the live view pauses, the picture is the player's) and ends (onLive).

import { RecordingTimeline, timeText } from './recording_timeline.js';
import { RecordingPlayer } from './recording_player.js';

export class PlaybackBar {
  constructor(ui, stream, { canvas, video, onPast, onLive, onError }) {
    Object.assign(this, { ui, stream, onPast, onLive, onError });
    this.past = false;
    this.player = new RecordingPlayer({
      stream, canvas, video, segments: () => this.timeline.segments, refresh: () => this.timeline.load(),
      onTime: (us) => this.showTime(us),
      onEnd: () => this.live(),
      onError: (reason) => { this.live(); onError(reason); },
    });
    this.timeline = new RecordingTimeline({
      bar: ui.timeline, canvas: ui.timelineCanvas, label: ui.label, spanButton: ui.span, stream,
      onSeek: (us) => this.seek(us),
      onList: (segments) => { ui.root.hidden = segments.length === 0 && !this.past; },
    });
    ui.play.onclick = () => this.togglePause();
    ui.step.onclick = () => this.player.step();
    ui.speed.onchange = () => this.player.setSpeed(Number(ui.speed.value));
    ui.live.onclick = () => this.live();
    this.showButtons();
    window.wscamPlayback = this.player.stats;  // the test hook (recording_player.js)
  }

  /** Plays the past from `us`; a time in the future is the present. */
  seek(us) {
    if (us >= Date.now() * 1000 - 1e6) return this.live();
    if (!this.past) {
      this.past = true;
      this.onPast();
    }
    this.player.setPaused(false);
    this.player.play(us);
    this.timeline.setPlayhead(us);
    this.showButtons();
  }

  live() {
    if (!this.past) return;
    this.past = false;
    this.player.close();
    this.timeline.setPlayhead(null);
    this.showButtons();
    this.onLive();
  }

  togglePause() {
    this.player.setPaused(!this.player.pausedWanted);
    this.showButtons();
  }

  showTime(us) {
    this.timeline.setPlayhead(us);
    this.ui.time.textContent = `${new Date(us / 1000).toLocaleDateString()} ${timeText(us, true, true)}`;
  }

  showButtons() {
    const { ui } = this;
    for (const el of [ui.play, ui.step, ui.speedLabel, ui.time]) el.hidden = !this.past;
    ui.play.textContent = this.player.pausedWanted ? 'Play' : 'Pause';
    ui.live.setAttribute('aria-pressed', String(!this.past));
    ui.live.textContent = this.past ? 'Back to live' : 'Live';
    if (!this.past) ui.time.textContent = '';
  }

  /** A motion event of the stream (the viewers' `event` message): a mark on the timeline. */
  noteEvent(event) {
    this.timeline.noteEvent(event);
  }

  /** Keys while the past plays: k pause, . step, l live. */
  key(e) {
    if (!this.past) return false;
    if (e.key === 'k') this.togglePause();
    else if (e.key === '.') this.player.step();
    else if (e.key === 'l') this.live();
    else return false;
    return true;
  }

  close() {
    this.player.close();
    this.timeline.close();
    this.ui.root.hidden = true;
  }
}
