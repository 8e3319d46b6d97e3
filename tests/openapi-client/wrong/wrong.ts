// Deliberately wrong usage: `npm run wrong` (part of `npm run check`)
// requires tsc to REFUSE this file, with an error on each marked line. If
// one of these compiled, the document would have lost its exact types.
import createClient from "openapi-fetch";
import type { paths } from "../src/nezuko";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });

export async function wrong() {
  // WRONG-1: "1w" is not a period.
  await client.GET("/v1/rpc/get_chart_data", { params: { query: { p_period: "1w" } } });
  const { data } = await client.GET("/v1/rpc/list_bots");
  if (!data) return;
  // WRONG-2: "onlin" is not a bot status.
  return data.items.filter((b) => b.status === "onlin");
}

export async function wrongNullable() {
  const { data } = await client.GET("/v1/rpc/list_groups");
  if (!data) return "";
  // WRONG-3: title is declared nullable (@nullable), so it is not a plain string.
  const title: string = data.items[0].title;
  return title;
}
