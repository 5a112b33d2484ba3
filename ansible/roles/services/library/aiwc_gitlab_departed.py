#!/usr/bin/python
# -*- coding: utf-8 -*-
# Part of aiwc (the services role). Runs on the node that runs GitLab, with python-gitlab,
# as community.general's GitLab modules do.

DOCUMENTATION = r"""
---
module: aiwc_gitlab_departed
short_description: Block the GitLab accounts of users no longer in users.yaml; unblock them when they return
description:
  - An account is aiwc's when it carries an SSH key whose title starts with O(key_title_prefix)
    (the services role gives every user's account such a key). Every active account of aiwc's whose
    username is not in O(users) is blocked, and GitLab's administrator note on it says so; blocking
    keeps the account and its projects, and stops its web sign-in, API and git access.
  - A blocked account whose username is in O(users) again is unblocked, but only when its note says
    aiwc blocked it; an account an administrator blocked stays blocked.
  - Administrators, bots and GitLab's internal accounts are never touched.
options:
  api_url: {description: GitLab's URL., type: str, required: true}
  api_token: {description: An administrator's personal access token (api scope)., type: str, required: true, no_log: true}
  validate_certs: {description: "Check GitLab's TLS certificate (against REQUESTS_CA_BUNDLE where set: the role sets Caddy's CA).", type: bool, default: true}
  users: {description: The usernames that keep their access (users.yaml)., type: list, elements: str, required: true}
  key_title_prefix: {description: What the titles of the keys aiwc gives begin with., type: str, default: "aiwc "}
  note: {description: The administrator note written on an account aiwc blocks (its first line marks it)., type: str, default: "Blocked by aiwc: not in users.yaml."}
notes:
  - Supports check mode.
requirements: [python-gitlab]
"""

RETURN = r"""
blocked: {description: Usernames blocked by this run., type: list, returned: always}
unblocked: {description: Usernames unblocked by this run., type: list, returned: always}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import gitlab

    GITLAB_IMPORT_ERROR = None
except ImportError:
    GITLAB_IMPORT_ERROR = traceback.format_exc()


def is_person(user):
    """An account of a person: not an administrator, a bot or one of GitLab's internal accounts."""
    return not getattr(user, "is_admin", False) and not getattr(user, "bot", False) and getattr(user, "user_type", "human") in ("human", None)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            api_url=dict(type="str", required=True),
            api_token=dict(type="str", required=True, no_log=True),
            validate_certs=dict(type="bool", default=True),
            users=dict(type="list", elements="str", required=True),
            key_title_prefix=dict(type="str", default="aiwc "),
            note=dict(type="str", default="Blocked by aiwc: not in users.yaml."),
        ),
        supports_check_mode=True,
    )
    if GITLAB_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("python-gitlab"), exception=GITLAB_IMPORT_ERROR)
    p = module.params
    keep = set(p["users"])
    marker = p["note"].splitlines()[0] if p["note"] else ""
    try:
        gl = gitlab.Gitlab(p["api_url"], private_token=p["api_token"], ssl_verify=p["validate_certs"])
        blocked, unblocked = [], []
        for user in gl.users.list(active=True, all=True, per_page=100):
            if user.username in keep or user.state != "active" or not is_person(user):
                continue
            keys = user.keys.list(all=True, per_page=100)
            if not any(k.title.startswith(p["key_title_prefix"]) for k in keys):
                continue
            blocked.append(user.username)
            if not module.check_mode:
                user.note = p["note"]
                user.save()
                user.block()
        for user in gl.users.list(blocked=True, all=True, per_page=100):
            if user.username not in keep or user.state != "blocked" or not is_person(user):
                continue
            if marker == "" or not (getattr(user, "note", None) or "").startswith(marker):
                continue
            unblocked.append(user.username)
            if not module.check_mode:
                user.unblock()
                user.note = ""
                user.save()
    except gitlab.exceptions.GitlabError as error:
        module.fail_json(msg="GitLab answered %s: %s" % (getattr(error, "response_code", "?"), error.error_message))
    module.exit_json(changed=bool(blocked or unblocked), blocked=sorted(blocked), unblocked=sorted(unblocked))


if __name__ == "__main__":
    main()
