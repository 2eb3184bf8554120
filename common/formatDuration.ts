// Durations as clocks (m:ss, h:mm:ss), for the CLI's progress line and the status bar alike.

/** `unknown` stands in for a duration that is not a finite, non-negative number (no ETA yet). */
export function formatDuration(seconds: number, unknown = '–'): string {
  if (!Number.isFinite(seconds) || seconds < 0) return unknown;
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}
