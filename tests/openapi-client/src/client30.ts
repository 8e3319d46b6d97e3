// The same client against the OpenAPI 3.0 copy, for older generators.
import createClient from "openapi-fetch";
import type { paths } from "./nezuko-3.0";

export async function groupCount(baseUrl: string, token: string): Promise<number> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
  const { data, error } = await client.GET("/v1/rpc/list_groups", { params: { query: { p_limit: 1 } } });
  if (error) throw new Error(`${error.status}`);
  return data.total ?? 0;
}
