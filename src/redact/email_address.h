// SPDX-License-Identifier: Apache-2.0
// File: email_address.h
// Which e-mail-shaped strings the `email` PII rule redacts: a real top-level domain, not a
// documentation domain or placeholder, not an SSH remote or a systemd template unit.
#pragma once

#include <string_view>

namespace agentbox::redact {

// True for `local@domain` whose domain ends in a delegated top-level domain (the public
// suffix list, email_tlds.inc) and is not reserved for documentation (RFC 2606/6761:
// example.com/.org/.net, .test, .invalid, .example, .localhost, .local) nor a placeholder
// domain of manuals (domain.com, yourcompany.com, server.com, ...); the local part is not a
// placeholder either (email@, user@domain, you@, ...), nor does the address spell one
// ("a@dd.re.ss"); attackers' hosts of security tests (evil.com, attacker.com) and `git@host`
// SSH remotes are not addresses. `email` is the captured value (local part, '@', domain); case is
// ignored.
bool isRedactableEmail(std::string_view email);

// A host reserved for documentation (RFC 2606/6761: example.com/.org/.net and names under
// them, .test, .invalid, .example, .localhost, .local) or a manuals' stand-in (domain.com,
// yourcompany.com, ...). Case is ignored. The URL-password rules use it for the host.
bool isDocumentationDomain(std::string_view host);

}  // namespace agentbox::redact
