-- auth.hash_token: the stored form of an API token (SHA-256 of its text).
create function auth.hash_token(p_token text) returns bytea
language sql immutable strict parallel safe
return sha256(convert_to(p_token, 'UTF8'));

comment on function auth.hash_token(text) is 'SHA-256 of an API token; api_tokens stores only this.';
grant execute on function auth.hash_token(text) to nezuko_bridge;
