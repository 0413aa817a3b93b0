// SPDX-License-Identifier: Apache-2.0
// File: builtin_rules_pii.cc
// Personal data: e-mail, phone numbers, payment cards, IBANs, US SSNs, and (opt-in) IP
// addresses. Digit shapes have no literal, so their triggers come from the engine's digit
// scanner (DigitShape); every other rule has a literal anchor.
#include <string>
#include <utility>

#include "redact/rule_builders.h"

namespace agentbox::redact::detail {

namespace {

Rule piiRule(const char* id, const char* name, Severity severity, double confidence) {
  Rule r;
  r.id = id;
  r.name = name;
  r.rule_class = RuleClass::kPii;
  r.severity = severity;
  r.confidence = confidence;
  r.skip_placeholders = false;
  return r;
}

// ISO 13616 country codes of SEPA and nearby IBAN countries.
constexpr const char* kIbanCountries[] = {
    "AD", "AE", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
    "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV",
    "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "TR"};

void addContactRules(std::vector<Rule>& rules) {
  Rule email = piiRule("email", "E-mail address", Severity::kMedium, 0.8);
  // A trigger must be a necessary condition of the confirm regex, so that however the input
  // is chunked, the candidate of the trigger inside a match holds that match. The trigger is
  // the literal '@': Vectorscan 5.4.9 in stream mode misses about 8% of matches of
  // class-led regexes such as "@[a-z]" (tests/redact/stream_redactor_test.cc keeps literals
  // honest at every offset), so built-in triggers are literals or the digit scanner.
  email.keywords = {"@"};
  email.before_bytes = 65;  // 64 local-part bytes + the boundary byte
  email.lead_chars = "A-Za-z0-9._%+@\\-";
  // A ':' or '/' before the local part is a URL's user[:password]@host, not an address.
  email.regex =
      R"re([^A-Za-z0-9._%+:/-]([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24})[^A-Za-z0-9-])re";
  email.after_bytes = 254;
  email.continue_chars = "A-Za-z0-9.\\-";
  email.validator = Validator::kEmail;
  rules.push_back(std::move(email));

  Rule e164 = piiRule("phone-e164", "Phone number (E.164, +country code)", Severity::kMedium, 0.7);
  e164.keywords = {"+1", "+2", "+3", "+4", "+5", "+6", "+7", "+8", "+9"};
  e164.regex =
      R"re([^0-9A-Za-z+_/=.-](\+[1-9][0-9]{0,3}(?:[ .-]?\(?[0-9]{1,5}\)?){1,6})[^0-9A-Za-z_%+=-])re";
  e164.after_bytes = 24;
  e164.continue_chars = "0-9 ().\\-";
  e164.validator = Validator::kE164Phone;
  rules.push_back(std::move(e164));

  Rule nanp =
      piiRule("phone-nanp", "Phone number (US/Canada national format)", Severity::kMedium, 0.7);
  nanp.digit_shape = DigitShape::kNanpPhone;
  nanp.before_bytes = 14;  // "(NPA) NXX-XXXX": the scanner fires at the last digit
  nanp.lead_chars = "0-9() .\\-";
  nanp.regex =
      R"re([^0-9A-Za-z_.+/=-]((?:\([2-9][0-9]{2}\) ?[2-9][0-9]{2}[-. ]|[2-9][0-9]{2}-[2-9][0-9]{2}-|[2-9][0-9]{2} [2-9][0-9]{2}[ -])[0-9]{4})[^0-9A-Za-z_-])re";
  nanp.after_bytes = 2;
  nanp.continue_chars = "0-9\\-";
  nanp.validator = Validator::kNanpPhone;
  rules.push_back(std::move(nanp));

  Rule national = piiRule("phone-labelled", "Phone number after a phone/tel/mobile label",
                          Severity::kMedium, 0.75);
  national.keywords = {"phone", "tel:", "tel.", "mobile", "telefon", "fax:"};
  national.keywords_caseless = true;
  national.hold = HoldFrom::kKeywordEnd;
  national.regex =
      R"re((?i:phone|tel[:.]|mobile|telefon|fax:)[A-Za-z_ .-]{0,12}\s{0,3}["']?[:=#]?\s{0,3}["']?(\+?\(?[0-9][0-9 ()./-]{5,18}[0-9])[^0-9A-Za-z_-])re";
  national.after_bytes = 60;
  national.continue_chars = kAnyButNewline;
  national.validator = Validator::kE164Phone;
  rules.push_back(std::move(national));
}

void addNumberRules(std::vector<Rule>& rules) {
  Rule card = piiRule("credit-card", "Payment card number (Luhn)", Severity::kHigh, 0.8);
  card.digit_shape = DigitShape::kCardNumber;  // necessary for the regex below
  card.before_bytes = 23;
  card.lead_chars = "0-9 \\-";
  card.regex =
      R"re((?:[^0-9A-Za-z_. -]|[^0-9] )([0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}|3[47][0-9]{2}[ -]?[0-9]{6}[ -]?[0-9]{5})(?:[^0-9A-Za-z_. -]|[ .][^0-9]))re";
  card.after_bytes = 8;
  card.continue_chars = "0-9 .\\-";
  card.validator = Validator::kLuhn;
  // One more digit group right before or after (hex code-point tables, digit grids) or a
  // decimal point after means the digits are a piece of something longer.
  rules.push_back(std::move(card));

  Rule iban = piiRule("iban", "International bank account number (mod 97)", Severity::kHigh, 0.9);
  for (const char* cc : kIbanCountries) {
    for (char d = '0'; d <= '9'; ++d) {
      iban.keywords.push_back(std::string(cc) + d);
    }
  }
  iban.regex =
      R"re([^A-Za-z0-9]([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)[^A-Za-z0-9])re";
  iban.after_bytes = 42;
  iban.continue_chars = "A-Z0-9 ";
  iban.validator = Validator::kIban;
  rules.push_back(std::move(iban));

  Rule ssn = piiRule("us-ssn", "US Social Security number", Severity::kHigh, 0.7);
  ssn.digit_shape = DigitShape::kSsn;
  ssn.before_bytes = 11;
  ssn.lead_chars = "0-9\\-";
  ssn.regex = R"re([^0-9A-Za-z_-]([0-9]{3}-[0-9]{2}-[0-9]{4})[^0-9A-Za-z_-])re";
  ssn.after_bytes = 2;
  ssn.continue_chars = "0-9\\-";
  ssn.validator = Validator::kSsn;
  ssn.allow = {"111-22-3333", "123-45-6789"};  // the usual documentation examples
  rules.push_back(std::move(ssn));
}

// Opt-in: agents print addresses legitimately. The policy's [redaction] ip_addresses keeps
// the rules whose id starts with "ip-"; without it they are left out (app/redact_filter.cc).
void addIpRules(std::vector<Rule>& rules) {
  Rule v4 = piiRule("ip-v4", "IPv4 address", Severity::kLow, 0.6);
  v4.opt_in = true;
  v4.digit_shape = DigitShape::kIpv4;
  v4.before_bytes = 12;  // three octets and dots before the third '.'
  v4.lead_chars = "0-9.";
  v4.regex =
      R"re([^0-9A-Za-z._-]((?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?:[^0-9A-Za-z._-]|\.[^0-9A-Za-z]))re";
  v4.after_bytes = 5;
  v4.continue_chars = "0-9.";
  v4.validator = Validator::kIpv4;
  rules.push_back(std::move(v4));

  Rule v6 = piiRule("ip-v6", "IPv6 address", Severity::kLow, 0.6);
  v6.opt_in = true;
  v6.keywords = {"::"};
  v6.digit_shape = DigitShape::kIpv6;
  v6.before_bytes = 40;
  v6.lead_chars = "0-9A-Fa-f:";
  v6.regex =
      R"re([^0-9A-Za-z:._-]((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:\.[0-9]{1,3}){0,3})[^0-9A-Za-z:_-])re";
  v6.after_bytes = 45;
  v6.continue_chars = "0-9A-Fa-f:.";
  v6.validator = Validator::kIpv6;
  rules.push_back(std::move(v6));
}

}  // namespace

void addPiiRules(std::vector<Rule>& rules) {
  addContactRules(rules);
  addNumberRules(rules);
  addIpRules(rules);
}

}  // namespace agentbox::redact::detail
