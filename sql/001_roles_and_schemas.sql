-- Roles and schemas.
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
