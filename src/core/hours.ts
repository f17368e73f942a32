/** The `yyyy/mm/dd/hh` hour folders of capture, ground truth and reports (spec §4.1, §8.3). */

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `yyyy/mm/dd/hh` of the UTC hour containing `time`. */
export function hourPath(time: Date): string {
  return `${time.getUTCFullYear()}/${pad2(time.getUTCMonth() + 1)}/${pad2(time.getUTCDate())}/${pad2(time.getUTCHours())}`;
}
