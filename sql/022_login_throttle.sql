-- Login throttling. Every failed POST /v1/auth/login leaves a row here;
-- auth.login counts the recent ones for the account and for the client
-- address *before* it hashes the password, and refuses (HTTP 429 with
-- Retry-After) while either is over its limit. So a flood of wrong
-- passwords costs one indexed count per attempt, not a bcrypt each on the
-- shared database (30 threads of wrong logins raised the admin API's p50
-- from 1.5 to 350 ms before this).
create table nezuko.login_failures (
    id         bigint generated always as identity primary key,
    email      text not null,
    ip         inet,
    failed_at  timestamptz not null default now()
);
comment on table nezuko.login_failures is 'Failed logins (unknown email, wrong password, deactivated account) for throttling: counted per email and per client address over login_failure_window_seconds. A success clears its email''s rows; older rows are deleted as new ones come.';
comment on column nezuko.login_failures.email is 'The email as typed, lower-cased (also for unknown accounts, so probing one costs the same).';
comment on column nezuko.login_failures.ip is 'The client address the API saw (null when unknown).';
create index login_failures_email on nezuko.login_failures (email, failed_at);
create index login_failures_ip on nezuko.login_failures (ip, failed_at) where ip is not null;

insert into nezuko.admin_config (key, value, value_type, min_value, max_value, description) values
    ('login_failure_window_seconds', '900', 'integer', 10, 86400, 'Window over which failed logins are counted for throttling.'),
    ('login_max_failures_per_account', '5', 'integer', 1, 1000, 'Failed logins for one email within the window before further attempts get 429.'),
    ('login_max_failures_per_address', '20', 'integer', 1, 100000, 'Failed logins from one client address within the window before further attempts get 429.');
