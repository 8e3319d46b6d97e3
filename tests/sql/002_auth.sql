-- API tokens: issued once, stored hashed, refused when revoked or expired.
begin;
select plan(8);

create temp table issued as select * from auth.create_token('ci', 'admin');

select ok((select token from issued) ~ '^nzk_[A-Za-z0-9_-]{43}$', 'a token is nzk_ + 43 URL-safe base64 characters');
select is((select count(*) from nezuko.api_tokens where token_sha256 = auth.hash_token((select token from issued))), 1::bigint,
    'only the hash of the token is stored');
select is((select count(*) from nezuko.api_tokens t, issued i where t.token_prefix || '' = i.token), 0::bigint,
    'the token itself is not stored');
select is((select role from auth.authenticate((select token from issued))), 'admin', 'a valid token authenticates with its role');
select is((select count(*) from auth.authenticate('nzk_not-a-token')), 0::bigint, 'an unknown token gives no row');

update nezuko.api_tokens set revoked_at = now() where id = (select token_id from issued);
select is((select count(*) from auth.authenticate((select token from issued))), 0::bigint, 'a revoked token gives no row');

create temp table short as select * from auth.create_token('short', 'viewer', null, interval '1 hour');
update nezuko.api_tokens set expires_at = now() - interval '1 second' where id = (select token_id from short);
select is((select count(*) from auth.authenticate((select token from short))), 0::bigint, 'an expired token gives no row');
select throws_ok($$select * from auth.create_token('x', 'root')$$, '22023', 'role must be viewer or admin, not root',
    'an unknown role is refused with 22023');

select * from finish();
rollback;
