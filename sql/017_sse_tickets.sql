-- Issue 14, item 7 (and issue 15, item 4): SSE tickets are single-purpose.
--
-- A browser's EventSource cannot send an Authorization header, so it opens
-- GET /v1/events?access_token=<ticket>. A ticket used to be an ordinary API
-- token with a 5-minute life: it could call the whole API, mint more
-- tickets, showed up in list_api_tokens and outlived a logout. Tickets now
-- live in a table of their own: valid only for opening an event stream
-- (auth.authenticate_ticket), short-lived, bound to the token that minted
-- them (revoking it, or deactivating its account, ends them and closes the
-- streams they opened), never listed as API tokens and unable to mint.

create table nezuko.sse_tickets (
    id           bigint generated always as identity primary key,
    token_sha256 bytea not null unique check (length(token_sha256) = 32),
    api_token_id bigint not null references nezuko.api_tokens (id) on delete cascade,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index sse_tickets_api_token_idx on nezuko.sse_tickets (api_token_id);
create index sse_tickets_expires_idx on nezuko.sse_tickets (expires_at);
comment on table nezuko.sse_tickets is
    'Short-lived tickets that open GET /v1/events only (access_token=...). Only a SHA-256 of each is kept. '
    'A ticket acts with the role of the API token that minted it, and dies with it. Expired rows are deleted by auth.create_ticket.';
comment on column nezuko.sse_tickets.api_token_id is 'The API token that minted the ticket: revoking it ends the ticket and the streams it opened.';
