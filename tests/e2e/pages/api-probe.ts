import type { Page } from '@playwright/test';

/** What the core answered, as the page received it. */
export type ProbeResult = { ok: boolean; error?: { code: string; message: string } };

/**
 * Calls an operation from inside the page, the way a hand-crafted request from the operator's
 * browser would: same origin, the page's transport token and the operator's session token.
 */
export class ApiProbe {
  constructor(readonly page: Page) {}

  async call(op: string, input: unknown): Promise<ProbeResult> {
    return this.page.evaluate(
      async ({ op, input }) => {
        const transportToken = sessionStorage.getItem('patchdeck.transportToken') ?? '';
        const stored = JSON.parse(sessionStorage.getItem('patchdeck.session') ?? '{}') as {
          token?: string;
        };
        const response = await fetch(`/api/${op}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${transportToken}`,
            'content-type': 'application/json',
            'x-patchdeck-session': stored.token ?? '',
          },
          body: JSON.stringify(input),
        });
        return (await response.json()) as ProbeResult;
      },
      { op, input },
    );
  }
}
