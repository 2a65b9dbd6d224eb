// wscam viewer, the size of a grid's tiles: N pictures of one aspect in a box, as large as they can
// be with none cut off and nothing to scroll (2 cameras on a 1280x800 page side by side, each
// about 630 pixels wide, not 310-pixel tiles in a corner). A narrow screen (a phone, under
// NARROW_PX) keeps its stacked full-width cards, scrolled. Pure (bestGrid) plus the one function
// that applies it to a CSS grid (fitGrid); the viewer's grid and pages of <wscam-player>s use both.

export const NARROW_PX = 600;

/**
 * The columns, and tile size in pixels, that show `count` tiles of `aspect` (width / height) the
 * largest in a `width` x `height` box with `gap` pixels between tiles; null for no tiles or no room.
 */
export function bestGrid(count, width, height, aspect = 4 / 3, gap = 0) {
  if (!(count > 0 && width > 0 && height > 0 && aspect > 0)) return null;
  let best = null;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const tileWidth = Math.min((width - gap * (columns - 1)) / columns, ((height - gap * (rows - 1)) / rows) * aspect);
    if (tileWidth <= 0) continue;
    if (!best || tileWidth > best.tileWidth) best = { columns, rows, tileWidth, tileHeight: tileWidth / aspect };
  }
  return best && { ...best, tileWidth: Math.floor(best.tileWidth), tileHeight: Math.floor(best.tileHeight) };
}

/**
 * Sizes `tiles` (the children of the CSS grid `grid`, by default) by bestGrid for the grid's own
 * content box, in their inline styles (the grid gets the class `fitted`); where the grid is
 * narrower than NARROW_PX it clears them, leaving the page's stacked cards. Returns the fit, or
 * null. Call again when the grid's size, its tiles or their aspect change (watchGrid does).
 */
export function fitGrid(grid, aspect, tiles = [...grid.children]) {
  const style = getComputedStyle(grid);
  const width = grid.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const height = grid.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const gap = parseFloat(style.columnGap) || 0;
  const fit = (width >= NARROW_PX && bestGrid(tiles.length, width, height, aspect, gap)) || null;
  grid.classList.toggle('fitted', Boolean(fit));
  grid.style.gridTemplateColumns = fit ? `repeat(${fit.columns}, ${fit.tileWidth}px)` : '';
  for (const t of tiles) {
    t.style.width = fit ? `${fit.tileWidth}px` : '';
    t.style.height = fit ? `${fit.tileHeight}px` : '';
    t.style.aspectRatio = fit ? 'auto' : '';
  }
  return fit;
}

/** Keeps `grid` fitted while it is resized; aspect() gives the tiles' aspect now. Returns the observer. */
export function watchGrid(grid, aspect) {
  const observer = new ResizeObserver(() => fitGrid(grid, aspect()));
  observer.observe(grid);
  return observer;
}

/** The aspect most of `sizes` ({width, height}) have (the median), else 4:3. */
export function commonAspect(sizes) {
  const aspects = sizes.filter((s) => s.width > 0 && s.height > 0).map((s) => s.width / s.height).sort((a, b) => a - b);
  return aspects.length ? aspects[Math.floor(aspects.length / 2)] : 4 / 3;
}
