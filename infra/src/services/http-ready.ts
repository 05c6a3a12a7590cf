/** True when GET `url` answers 2xx within `timeoutMs`. */
export async function answers2xx(url: string, timeoutMs = 2000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.ok;
}
