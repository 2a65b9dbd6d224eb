// wscam viewer, the Snapshot button: the focused view's newest JPEG saved as it came (no second
// encoding); with H.264, where there is no JPEG to save, the picture on the canvas as a JPEG.

/** Saves a view's current frame as wscam-STREAM-SEQUENCE.jpg; nothing before its first frame. */
export function saveSnapshot(view) {
  const save = (blob, sequence) => {
    if (!blob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `wscam-${view.stream}-${sequence}.jpg`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  if (view?.stats.codec === 'h264') {
    const sequence = view.paintedMeta?.sequence;
    if (sequence !== undefined) view.canvas.toBlob((blob) => save(blob, sequence), 'image/jpeg', 0.92);
  } else if (view?.lastBlob) {
    save(view.lastBlob, view.lastMeta.sequence);
  }
}
