-- Baseline 1 of 6: roles and schemas.
--
-- sql/ holds the schema as it stands, squashed (nothing had been deployed)
-- into six files by concern: roles and schemas; configuration; operations;
-- logs and realtime; analytics; the bridge's privileges. From here on
-- migrations are append-only again: a change is a new file numbered after
-- the last. tests/schema/schema.sql is the pg_dump of the result (every
-- table in one place); `just schema-dump` regenerates it and a test fails
-- when the two drift apart.
--
-- Roles are cluster-wide, so they are created only when missing: several
-- databases of one cluster (tests clone one per test) share them.
-- They are NOLOGIN: the bridge logs in as its own user and switches to one
-- of them per API request (set_config('role', ..., true)), so a GRANT decides
-- who may call what.
do $$
declare
    r text;
begin
    foreach r in array array['nezuko_viewer', 'nezuko_admin', 'nezuko_bridge'] loop
        if not exists (select from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
    end loop;
    -- An admin may do everything a viewer may.
    if not pg_has_role('nezuko_admin', 'nezuko_viewer', 'member') then
        grant nezuko_viewer to nezuko_admin;
    end if;
    -- The login role must be a member of the roles it switches to. A
    -- superuser already may; anyone else needs the grant (and the right to
    -- give it, which the migrating user has when it created the roles).
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant nezuko_viewer, nezuko_admin, nezuko_bridge to %I', current_user);
    end if;
end
$$;

-- nezuko: every table. Owned by the migrating user; no other role touches
-- the tables directly, only through functions in api and bot.
create schema if not exists nezuko;
comment on schema nezuko is 'All Nezuko tables. Managed by numbered migrations in sql/ (append-only).';

-- api, bot, auth and triggers belong to the code packages in functions/ and
-- triggers/: those packages drop and recreate them whole on every install,
-- so nothing else may live in them. They are created here too so that a
-- database at migration N is complete before the first package install.
create schema if not exists api;
create schema if not exists bot;
create schema if not exists auth;
create schema if not exists triggers;

create extension if not exists pgcrypto with schema public;

-- Least privilege for `nezuko serve` (README, "Two logins"): serve logs in
-- as a role that is only a member of nezuko_bridge (no superuser, owns
-- nothing); migrate keeps running as the owner of the schemas and tables.
-- The API switches each request to nezuko_viewer or nezuko_admin
-- (set_config('role', ...)), which needs membership: nezuko_bridge is made
-- a member of both, so a login that is a member of nezuko_bridge alone may
-- switch. nezuko_bridge is NOINHERIT: membership lets it (and its logins)
-- SET ROLE, but it does not hold their privileges itself, so outside a
-- switched request the bridge cannot call api.* functions (a GRANT still
-- decides; tests/sql/030 checks it). Granted without ADMIN OPTION.
-- Its table privileges are in 006_bridge_privileges.sql.
alter role nezuko_bridge noinherit;
do $$
begin
    if not pg_has_role('nezuko_bridge', 'nezuko_admin', 'member') then
        grant nezuko_admin to nezuko_bridge;
    end if;
    if not pg_has_role('nezuko_bridge', 'nezuko_viewer', 'member') then
        grant nezuko_viewer to nezuko_bridge;
    end if;
end
$$;

-- What the code packages (functions/, triggers/) last installed. tern keeps
-- no record of a code package; this table lets `nezuko migrate` skip an
-- install that would change nothing and lets /readyz see that the packages
-- are there at all. Each package's install.sql writes its own row, in the
-- same transaction as the install.
create table nezuko.code_packages (
    name         text primary key,
    sha256       text not null,
    installed_at timestamptz not null default now()
);
comment on table nezuko.code_packages is 'Last install of each SQL code package (functions, triggers): a SHA-256 of its evaluated SQL. Written by the package''s own install.sql.';
