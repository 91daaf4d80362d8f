/** The GraphQL subscriptions open in the process at `url`, from its Prometheus scrape (read with `serviceToken`). */
export async function openSubscriptions(url: string, serviceToken: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${serviceToken}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('graphql_subscriptions_open'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}
