/**
 * Exactly-once steps of an execution, keyed by its report prefix (deterministic per monitor and window):
 * metrics are published only when the `.metrics-published` marker is absent, and the marker is written
 * right after they were sent. A crash between the two (milliseconds) would publish once more.
 */
import { joinUri, type Storage } from '../io/storage.js';

export async function publishOnce(
  storage: Storage,
  reportPrefix: string,
  publish: () => Promise<number>,
): Promise<number> {
  const marker = joinUri(reportPrefix, '.metrics-published');
  if (await storage.head(marker)) return 0;
  const sent = await publish();
  await storage.write(marker, JSON.stringify({ publishedAt: new Date().toISOString(), metrics: sent }));
  return sent;
}
