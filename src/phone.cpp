/*
 * phone.cpp
 *	  C ABI over Google's libphonenumber (see phone.h).
 *
 * Everything C++ stays in this file: every entry point catches every
 * exception, so neither a libphonenumber error nor std::bad_alloc can
 * unwind through PostgreSQL's C frames (which would skip its error
 * handling and crash the backend).  No PostgreSQL header is included; the
 * SQL-callable wrappers live in C files and call in through phone.h.
 *
 * The answer is by definition libphonenumber's: Parse, then IsValidNumber,
 * then Format(E164), kept when it is '+' and 8-15 digits.  That is
 * ct_phone_normalize_reference().  ct_phone_normalize() gives the same
 * answers in about half the time; the unit test and the fuzzer check that
 * the two agree, and so does SelfCheck() on every process's first call.
 *
 * - Prescreen() refuses, without libphonenumber, inputs it could not
 *   accept anyway (no digit at all, no country code and no region, too few
 *   characters to hold a number we accept).
 *
 * - FastParse() replaces Parse() for the commonest shape, "+" and digits
 *   with at most spaces, dashes, dots and parentheses between them ("+1
 *   415-555-2671", "+447911123456").  For those Parse() reads the country
 *   code from the first 1-3 digits and, when the region's national-prefix
 *   pattern matches the rest (a "0" or "1" kept after the country code),
 *   strips it by rules not worth repeating; FastParse() builds the same
 *   PhoneNumber directly when that pattern does not match, and otherwise
 *   leaves the input to Parse().  Parse() runs about twenty ICU regular
 *   expressions, with a matcher allocation and a UTF-16 copy each, to find
 *   nothing to do in such input; FastParse() runs one.
 *
 * - IsValid() answers IsValidNumber() without doing the same work twice.
 *   IsValidNumber() first finds the number's region among those sharing
 *   its calling code (+1: US, CA and 23 others; +44: GB, GG, IM, JE), by
 *   computing the number's type in each region until one fits, and then
 *   computes the type in the region found all over again.  For a US or GB
 *   number that is the same ten-odd regular expressions twice.  IsValid()
 *   runs the same search once.
 *
 * Both rely on libphonenumber's internals: its compiled-in metadata
 * (metadata_get(), not in its installed headers) and the rules above, as
 * of version 8.12.  Without the metadata, or when SelfCheck() finds a
 * difference, ct_phone_normalize() uses Parse() and IsValidNumber() as is.
 *
 * Costs (make -C test/unit bench, 100k mixed US/CA/GB/IN/DE numbers, see
 * test/unit/README.md): 15.7 us a number for the reference path, 8.5 us
 * for this one; "+digits" input 15.5 -> 5.1 us, formatted international
 * 19.1 -> 6.0 us, national with a region 17.1 -> 14.6 us (Parse() still
 * does all the work there).
 */
#include "phone.h"

#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

namespace i18n
{
namespace phonenumbers
{
/*
 * libphonenumber's compiled-in metadata, the bytes PhoneNumberUtil itself
 * parses.  Its header (metadata.h) is not installed, so these are declared
 * here; weak, so that a library without them still loads (and we use
 * Parse() and IsValidNumber() as they are).
 */
extern int	metadata_size() __attribute__((weak));
extern const void *metadata_get() __attribute__((weak));
}								/* namespace phonenumbers */
}								/* namespace i18n */

namespace
{

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/* Longest input handed to libphonenumber, in bytes after trimming. */
constexpr size_t kMaxInputLen = 64;

/* Fewest and most digits of an E.164 number we accept. */
constexpr size_t kMinE164Digits = 8;
constexpr size_t kMaxE164Digits = 15;

/*
 * Fewest national digits a number we accept can have: 8 digits overall,
 * of which a country calling code takes at most 3.
 */
constexpr size_t kMinNationalDigits = kMinE164Digits - 3;

/* Highest country calling code (they have 1 to 3 digits). */
constexpr int kMaxCallingCode = 999;

/* Most digits libphonenumber reads as a country calling code. */
constexpr size_t kMaxCallingCodeDigits = 3;

/*
 * A logger that drops everything.  libphonenumber logs through one
 * process-wide logger; in a backend anything it printed would land in the
 * server log, once per bad number.
 */
class SilentLogger : public i18n::phonenumbers::Logger
{
  public:
	void		WriteMessage(const std::string &) override
	{
	}
};

/* One region sharing a calling code, as IsValidNumber() searches them. */
struct CallingCodeRegion
{
	std::string id;
	/* the region's leading_digits pattern, or null when it has none */
	std::shared_ptr<const icu::RegexPattern> leading_digits;
};

/* What the shortcuts need to know about one country calling code. */
struct CallingCode
{
	/* Parse() accepts it: GetRegionCodeForCountryCode() is not "ZZ" */
	bool		known = false;
	/* FastParse() may read numbers with this code */
	bool		fast_parse = false;
	/* the main region's national_prefix_for_parsing, or null if empty */
	std::shared_ptr<const icu::RegexPattern> national_prefix;

	/*
	 * The regions sharing the code, in libphonenumber's order, or empty
	 * when IsValid() must leave the code to IsValidNumber().
	 */
	std::vector<CallingCodeRegion> regions;
};

/*
 * Lookup tables built once from libphonenumber's own data, so the hot path
 * neither builds std::string lists nor asks the library the same thing
 * twice.
 */
struct PhoneTables
{
	PhoneNumberUtil *util = nullptr;
	/* region_ok[a][b]: region "AB" is supported (A..Z) */
	bool		region_ok[26][26] = {};
	/* false: FastParse() and IsValid() disabled (see SelfCheck()) */
	bool		shortcuts = false;
	CallingCode codes[kMaxCallingCode + 1];
};

/*
 * Patterns compiled so far, by source: 152 regions share 39 distinct
 * national-prefix patterns, and each compiled one takes a few kilobytes.
 */
typedef std::map<std::string, std::shared_ptr<const icu::RegexPattern>> PatternCache;

/*
 * Compile a libphonenumber pattern as its IcuRegExp does (no flags), or
 * share the one compiled before; null on error.
 */
static std::shared_ptr<const icu::RegexPattern>
CompilePattern(PatternCache *cache, const std::string &pattern)
{
	auto		it = cache->find(pattern);
	UErrorCode	status = U_ZERO_ERROR;
	UParseError perr;
	std::shared_ptr<const icu::RegexPattern> re;

	if (it != cache->end())
		return it->second;
	re.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern),
										0, perr, status));
	if (U_FAILURE(status))
		re.reset();
	(*cache)[pattern] = re;
	return re;
}

/*
 * True when re matches at the start of the ASCII string s, as
 * libphonenumber's RegExp::Consume() tests it; error is set on ICU failure.
 */
static bool
MatchesAtStart(const icu::RegexPattern &re, const std::string &s, bool *error)
{
	UErrorCode	status = U_ZERO_ERROR;
	icu::UnicodeString s16 = icu::UnicodeString::fromUTF8(s);
	std::unique_ptr<icu::RegexMatcher> m(re.matcher(s16, status));
	bool		match;

	if (U_FAILURE(status) || !m)
	{
		*error = true;
		return false;
	}
	match = m->lookingAt(status);
	*error = U_FAILURE(status);
	return match && !*error;
}

/*
 * Fill codes[] from the compiled-in metadata.  Anything missing or not
 * compiling leaves that code to Parse() and IsValidNumber().
 */
static void
BuildCallingCodes(PhoneTables *t)
{
	std::unique_ptr<PhoneMetadataCollection> collection;
	std::map<std::string, const PhoneMetadata *> by_region;
	std::map<int, const PhoneMetadata *> non_geo;
	PatternCache patterns;

	if (i18n::phonenumbers::metadata_get == nullptr ||
		i18n::phonenumbers::metadata_size == nullptr)
		return;
	collection.reset(new PhoneMetadataCollection());
	if (!collection->ParseFromArray(i18n::phonenumbers::metadata_get(),
									i18n::phonenumbers::metadata_size()))
		return;
	for (const PhoneMetadata &md : collection->metadata())
	{
		if (md.id() == PhoneNumberUtil::kRegionCodeForNonGeoEntity)
			non_geo[md.country_code()] = &md;
		else
			by_region[md.id()] = &md;
	}

	for (int cc = 1; cc <= kMaxCallingCode; cc++)
	{
		CallingCode &code = t->codes[cc];
		std::string main_region;
		std::list<std::string> ids;
		const PhoneMetadata *main_md = nullptr;
		bool		usable = true;

		t->util->GetRegionCodeForCountryCode(cc, &main_region);
		if (main_region == "ZZ")
			continue;
		code.known = true;

		/* FastParse(): the metadata Parse() uses for this code */
		if (main_region == PhoneNumberUtil::kRegionCodeForNonGeoEntity)
		{
			auto		it = non_geo.find(cc);

			if (it != non_geo.end())
				main_md = it->second;
		}
		else
		{
			auto		it = by_region.find(main_region);

			if (it != by_region.end())
				main_md = it->second;
		}
		if (main_md != nullptr && main_md->country_code() == cc)
		{
			if (main_md->national_prefix_for_parsing().empty())
				code.fast_parse = true;
			else
			{
				code.national_prefix = CompilePattern(&patterns, main_md->national_prefix_for_parsing());
				code.fast_parse = code.national_prefix != nullptr;
			}
		}

		/* IsValid(): the regions of this code, in order */
		t->util->GetRegionCodesForCountryCallingCode(cc, &ids);
		if (ids.size() == 1)
		{
			code.regions.push_back(CallingCodeRegion {ids.front(), nullptr});
			continue;
		}
		std::vector<CallingCodeRegion> regions;

		for (const std::string &id : ids)
		{
			auto		it = by_region.find(id);
			CallingCodeRegion r {id, nullptr};

			if (it == by_region.end() || it->second->country_code() != cc)
			{
				usable = false;
				break;
			}
			if (it->second->has_leading_digits())
			{
				r.leading_digits = CompilePattern(&patterns, it->second->leading_digits());
				if (!r.leading_digits)
				{
					usable = false;
					break;
				}
			}
			regions.push_back(std::move(r));
		}
		if (usable && !regions.empty())
			code.regions = std::move(regions);
	}
}

/*
 * Parse() for input of the form "+", digits, and between them only spaces,
 * dashes, dots and parentheses: true with *pn filled exactly as Parse()
 * would, false to leave the input to Parse().  Parse(), for such input:
 * finds no extension, RFC 3966 part or second number (they need letters or
 * other signs); drops the plus and the punctuation; takes as calling code
 * the first 1-3 digits that are one, unless the first is 0; strips a
 * national prefix when the main region's national_prefix_for_parsing
 * matches the national number's start (that case is left to Parse()); and
 * records leading zeros for Italian-style numbers.
 */
static bool
FastParse(const PhoneTables &t, const unsigned char *p, size_t len, PhoneNumber *pn)
{
	char		digits[kMaxE164Digits];
	size_t		n = 0;
	int			cc = 0;
	size_t		cc_len = 0;
	size_t		zeros;
	uint64_t	national = 0;
	bool		error;

	if (len < 2 || p[0] != '+')
		return false;
	for (size_t i = 1; i < len; i++)
	{
		unsigned char c = p[i];

		if (c >= '0' && c <= '9')
		{
			/* more than 15 digits cannot give an E.164 number... */
			if (n == kMaxE164Digits)
				return false;	/* ...but let Parse() say so */
			digits[n++] = (char) c;
		}
		else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
			return false;
	}
	if (n < kMinE164Digits || digits[0] == '0')
		return false;
	for (size_t i = 1; i <= kMaxCallingCodeDigits; i++)
	{
		int			v = 0;

		for (size_t k = 0; k < i; k++)
			v = v * 10 + (digits[k] - '0');
		if (t.codes[v].known)
		{
			cc = v;
			cc_len = i;
			break;
		}
	}
	if (cc == 0 || !t.codes[cc].fast_parse)
		return false;

	std::string nsn(digits + cc_len, n - cc_len);

	if (t.codes[cc].national_prefix &&
		(MatchesAtStart(*t.codes[cc].national_prefix, nsn, &error) || error))
		return false;

	pn->Clear();
	pn->set_country_code(cc);
	if (nsn.size() > 1 && nsn[0] == '0')
	{
		pn->set_italian_leading_zero(true);
		for (zeros = 1; zeros < nsn.size() - 1 && nsn[zeros] == '0'; zeros++)
			;
		if (zeros != 1)
			pn->set_number_of_leading_zeros((int) zeros);
	}
	for (char c : nsn)
		national = national * 10 + (uint64_t) (c - '0');
	pn->set_national_number(national);
	return true;
}

/*
 * Exactly PhoneNumberUtil::IsValidNumber(), which is
 * IsValidNumberForRegion(number, GetRegionCodeForNumber(number)), with the
 * region search of GetRegionCodeForNumber() done here once:
 *
 * - one region owns the calling code: that region;
 * - else the first region, in the library's order, whose leading_digits
 *   pattern matches the start of the national number or, for a region
 *   without one, in which the number has a type.  "Has a type in R" is
 *   exactly IsValidNumberForRegion(number, R), so when the search ends on
 *   a region without leading digits the number is valid, and nothing is
 *   computed twice.
 */
static bool
IsValid(const PhoneTables &t, const PhoneNumber &pn)
{
	int			cc = pn.country_code();
	std::string nsn;

	if (!t.shortcuts || cc < 1 || cc > kMaxCallingCode || t.codes[cc].regions.empty())
		return t.util->IsValidNumber(pn);

	const std::vector<CallingCodeRegion> &regions = t.codes[cc].regions;

	if (regions.size() == 1)
		return t.util->IsValidNumberForRegion(pn, regions[0].id);

	t.util->GetNationalSignificantNumber(pn, &nsn);
	for (const CallingCodeRegion &r : regions)
	{
		if (r.leading_digits)
		{
			bool		error;

			if (MatchesAtStart(*r.leading_digits, nsn, &error))
				return t.util->IsValidNumberForRegion(pn, r.id);
			if (error)
				return t.util->IsValidNumber(pn);
		}
		else if (t.util->IsValidNumberForRegion(pn, r.id))
			return true;
	}
	return false;				/* region "ZZ": never valid */
}

/*
 * Numbers SelfCheck() runs both ways.  They walk the main branches of
 * FastParse() and IsValid() (1-, 2- and 3-digit calling codes, a
 * non-geographic one, Italian leading zeros, a national prefix kept after
 * the country code, the +1 and +44 region searches: US, CA after the
 * leading-digit regions, AI with leading digits, GB, GG, IM; invalid
 * numbers), using only regions most imports touch anyway: each region
 * checked makes libphonenumber compile and cache its patterns, some 50 KB
 * a region.  The unit test covers the rest.
 */
static const char *const kSelfCheckNumbers[] = {
	"+14155552671", "+1 416 555 0123", "+12642351234", "+11234567890",
	"+1415555267", "+447911123456", "+441481256789", "+447624123456",
	"+4407911123456", "+442079460958", "+390612345678", "+39 3123456789",
	"+80012345678", "+919876543210", "+4915123456789", "+49030123456",
	"+33612345678",
};

/*
 * Compare FastParse() and IsValid() with Parse() and IsValidNumber() on
 * kSelfCheckNumbers: a cheap guard (a few ms) against a libphonenumber
 * whose rules have moved on from the ones they repeat.  The thorough
 * comparison is the unit test's and the fuzzer's.  True when all agree.
 */
static bool
SelfCheck(const PhoneTables &t)
{
	for (const char *number : kSelfCheckNumbers)
	{
		std::string input(number);
		PhoneNumber fast;
		PhoneNumber slow;
		bool		parsed = t.util->Parse(input, "ZZ", &slow) ==
			PhoneNumberUtil::NO_PARSING_ERROR;

		if (FastParse(t, (const unsigned char *) input.data(), input.size(), &fast) &&
			(!parsed || fast.SerializeAsString() != slow.SerializeAsString()))
			return false;
		if (parsed && IsValid(t, slow) != t.util->IsValidNumber(slow))
			return false;
	}
	return true;
}

/* Build the tables; throws on allocation failure (callers catch it). */
static PhoneTables *
BuildPhoneTables()
{
	std::unique_ptr<PhoneTables> t(new PhoneTables());
	std::set<std::string> supported;

	t->util = PhoneNumberUtil::GetInstance();
	/* SetLogger takes ownership; this runs once per process */
	t->util->SetLogger(new SilentLogger());

	t->util->GetSupportedRegions(&supported);
	for (const std::string &r : supported)
	{
		if (r.size() == 2 && r[0] >= 'A' && r[0] <= 'Z' &&
			r[1] >= 'A' && r[1] <= 'Z')
			t->region_ok[r[0] - 'A'][r[1] - 'A'] = true;
	}
	BuildCallingCodes(t.get());
	t->shortcuts = true;
	t->shortcuts = SelfCheck(*t);
	return t.release();
}

/*
 * The tables, built on first use and kept for the life of the process.  A
 * function-local static is initialized once even with concurrent callers,
 * and again on the next call if building threw.
 */
static const PhoneTables &
GetPhoneTables()
{
	static const PhoneTables *tables = BuildPhoneTables();

	return *tables;
}

/* True for the ASCII whitespace we trim: space, \t, \n, \v, \f, \r. */
static inline bool
IsSpace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Narrow [*p, *p + *len) to its content without surrounding ASCII whitespace. */
static inline void
Trim(const unsigned char **p, size_t *len)
{
	while (*len > 0 && IsSpace((*p)[0]))
	{
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && IsSpace((*p)[*len - 1]))
		(*len)--;
}

/*
 * Copy a supported region code, upper-cased, into buf (3 bytes); false
 * when region is NULL or not a supported two-letter region.
 */
static bool
ResolveRegion(const PhoneTables &t, const char *region, char *buf)
{
	unsigned char a;
	unsigned char b;

	if (region == nullptr || region[0] == '\0' || region[1] == '\0' ||
		region[2] != '\0')
		return false;
	a = (unsigned char) region[0];
	b = (unsigned char) region[1];
	if (a >= 'a' && a <= 'z')
		a -= 'a' - 'A';
	if (b >= 'a' && b <= 'z')
		b -= 'a' - 'A';
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z' ||
		!t.region_ok[a - 'A'][b - 'A'])
		return false;
	buf[0] = (char) a;
	buf[1] = (char) b;
	buf[2] = '\0';
	return true;
}

/* What a scan of the trimmed input found. */
struct InputShape
{
	size_t		digits;			/* ASCII digits */
	size_t		digit_like;		/* characters that can become a digit */
	bool		non_ascii;
	bool		plus;			/* '+' or full-width U+FF0B anywhere */
};

/* Scan the trimmed input once for Prescreen() and FailureKind(). */
static InputShape
ScanInput(const unsigned char *p, size_t len)
{
	InputShape	s = {0, 0, false, false};

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = p[i];

		if (c >= '0' && c <= '9')
		{
			s.digits++;
			s.digit_like++;
		}
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			s.digit_like++;
		else if (c == '+')
			s.plus = true;
		else if (c >= 0x80)
		{
			s.non_ascii = true;
			/* count characters, not bytes: skip continuation bytes */
			if ((c & 0xC0) != 0x80)
				s.digit_like++;
			if (c == 0xEF && i + 2 < len && p[i + 1] == 0xBC && p[i + 2] == 0x8B)
				s.plus = true;
		}
	}
	return s;
}

/*
 * Which failure a rejected input is: NO_REGION for a would-be national
 * number read without a region (it has something that could be a digit
 * but no plus sign, hence no country code), INVALID otherwise.  Shared by
 * both paths so they classify alike.
 */
static CtPhoneResult
FailureKind(const InputShape &s, bool have_region)
{
	if (!have_region && !s.plus && (s.digits > 0 || s.non_ascii))
		return CT_PHONE_NO_REGION;
	return CT_PHONE_INVALID;
}

/*
 * Refuse, before libphonenumber, inputs Parse+IsValidNumber+Format could
 * not accept anyway; CT_PHONE_OK means go on to libphonenumber.
 *
 * - libphonenumber starts a number at its first plus sign or decimal digit
 *   and needs digits there; pure ASCII without an ASCII digit has none
 *   (non-ASCII may hold a full-width plus or another script's digits).
 * - Without a region, a number with no plus sign has no country calling
 *   code: "ZZ" has no international prefix, and an RFC 3966 phone-context
 *   needs a plus too.
 * - A number we accept has at least kMinNationalDigits national digits,
 *   each from one input character: an ASCII digit, an ASCII letter (vanity
 *   numbers such as 1-800-FLOWERS) or a non-ASCII character.
 */
static CtPhoneResult
Prescreen(const InputShape &s, bool have_region)
{
	if (s.digits == 0 && !s.non_ascii)
		return CT_PHONE_INVALID;
	if (!have_region && !s.plus)
		return CT_PHONE_NO_REGION;
	if (s.digit_like < kMinNationalDigits)
		return CT_PHONE_INVALID;
	return CT_PHONE_OK;
}

/*
 * Format a valid number as E.164 into out and *e164, if it is '+' and
 * 8-15 digits.
 */
static CtPhoneResult
Emit(const PhoneTables &t, const PhoneNumber &pn, char *out, int64_t *e164)
{
	std::string formatted;
	int64_t		value = 0;

	t.util->Format(pn, PhoneNumberUtil::E164, &formatted);
	if (formatted.size() < 1 + kMinE164Digits ||
		formatted.size() > 1 + kMaxE164Digits ||
		formatted[0] != '+')
		return CT_PHONE_INVALID;
	for (size_t i = 1; i < formatted.size(); i++)
	{
		char		c = formatted[i];

		if (c < '0' || c > '9')
			return CT_PHONE_INVALID;
		value = value * 10 + (c - '0');
	}
	std::memcpy(out, formatted.c_str(), formatted.size() + 1);
	if (e164 != nullptr)
		*e164 = value;
	return CT_PHONE_OK;
}

/* ct_phone_normalize or (reference) ct_phone_normalize_reference; may throw. */
static CtPhoneResult
Normalize(const char *in, size_t len, const char *region,
		  char *out, int64_t *e164, bool reference)
{
	const PhoneTables &t = GetPhoneTables();
	const unsigned char *p = (const unsigned char *) in;
	char		region_buf[3];
	bool		have_region;
	InputShape	shape;
	PhoneNumber pn;
	bool		valid;

	Trim(&p, &len);
	if (len == 0 || len > kMaxInputLen)
		return CT_PHONE_INVALID;
	have_region = ResolveRegion(t, region, region_buf);
	shape = ScanInput(p, len);

	if (reference)
	{
		if (t.util->Parse(std::string((const char *) p, len),
						  std::string(have_region ? region_buf : "ZZ"),
						  &pn) != PhoneNumberUtil::NO_PARSING_ERROR)
			return FailureKind(shape, have_region);
		valid = t.util->IsValidNumber(pn);
	}
	else
	{
		CtPhoneResult r = Prescreen(shape, have_region);

		if (r != CT_PHONE_OK)
			return r;
		if (!(t.shortcuts && FastParse(t, p, len, &pn)) &&
			t.util->Parse(std::string((const char *) p, len),
						  std::string(have_region ? region_buf : "ZZ"),
						  &pn) != PhoneNumberUtil::NO_PARSING_ERROR)
			return FailureKind(shape, have_region);
		valid = IsValid(t, pn);
	}
	if (!valid)
		return FailureKind(shape, have_region);
	return Emit(t, pn, out, e164);
}

}								/* namespace */

/* See phone.h. */
extern "C" int
ct_phone_init(void)
{
	try
	{
		(void) GetPhoneTables();
		return 0;
	}
	catch (...)
	{
		return -1;
	}
}

/* See phone.h. */
extern "C" CtPhoneResult
ct_phone_normalize(const char *in, size_t len, const char *region,
				   char *out, int64_t *e164)
{
	try
	{
		return Normalize(in, len, region, out, e164, false);
	}
	catch (...)
	{
		return CT_PHONE_INTERNAL;
	}
}

/* See phone.h. */
extern "C" CtPhoneResult
ct_phone_normalize_reference(const char *in, size_t len, const char *region,
							 char *out, int64_t *e164)
{
	try
	{
		return Normalize(in, len, region, out, e164, true);
	}
	catch (...)
	{
		return CT_PHONE_INTERNAL;
	}
}

/* See phone.h. */
extern "C" int
ct_phone_region_supported(const char *region)
{
	try
	{
		char		buf[3];

		return ResolveRegion(GetPhoneTables(), region, buf) ? 1 : 0;
	}
	catch (...)
	{
		return 0;
	}
}
