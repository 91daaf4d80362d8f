import type { SessionStateSource } from './session-store.ts';

/**
 * The User DB's session state over HTTP (`/internal/sessions/:sid` on the User service's
 * instances), for a process that does not host the User service. Tries each instance once.
 */
export class HttpSessionSource implements SessionStateSource {
  private next = 0;

  constructor(
    private readonly instances: string[],
    private readonly serviceToken: string | undefined,
    private readonly timeoutMs = 2_000,
  ) {}

  async isEnded(sid: string): Promise<boolean> {
    let lastError: unknown = new Error('no User service instance configured');
    for (let attempt = 0; attempt < this.instances.length; attempt++) {
      const base = this.instances[this.next++ % this.instances.length]!;
      try {
        const response = await fetch(`${base}/internal/sessions/${encodeURIComponent(sid)}`, {
          headers: this.serviceToken ? { 'x-dema-service-token': this.serviceToken } : {},
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.ok) return ((await response.json()) as { ended: boolean }).ended === true;
        await response.body?.cancel();
        lastError = new Error(`user service answered ${response.status}`);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Only the User service's own process loads ended sessions; others ask per session. */
  async endedWithin(): Promise<Array<{ sid: string; ttlSeconds: number }>> {
    return [];
  }
}
