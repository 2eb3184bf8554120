// Durations as clocks (m:ss, h:mm:ss): the one format of the CLI's progress line, the status bar and
// the training panel, so an ETA reads the same wherever the user looks.

/** What stands in for an ETA the engine has not estimated yet. */
export const ESTIMATING = 'estimating…';

/** `unknown` stands in for a duration that is absent or not a finite, non-negative number. */
export function formatDuration(seconds: number | undefined, unknown = '–'): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return unknown;
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/** An ETA: the clock, or "estimating…" while the engine has no estimate yet. */
export const formatEta = (seconds: number | undefined): string => formatDuration(seconds, ESTIMATING);
