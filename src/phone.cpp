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
 * answers in about a third of the time; the unit test and the fuzzer check
 * that the two agree (and that FastParse() builds the very PhoneNumber
 * Parse() builds: ct_phone_fast_parse_check()), and so does SelfCheck() on
 * every process's first call.
 *
 * - Prescreen() refuses, without libphonenumber, inputs it could not
 *   accept anyway (no digit at all, no country code and no region, too few
 *   characters to hold a number we accept).
 *
 * - FastParse() replaces Parse() for the commonest shapes: digits with at
 *   most spaces, dashes, dots and parentheses between them, after a "+"
 *   or, read with a region, without one.  Parse() runs about twenty ICU
 *   regular expressions, with a matcher allocation and a UTF-16 copy each,
 *   to find nothing to do in such input; FastParse() runs none or one for
 *   most of it, and a handful at most.
 *
 *   After "+" ("+1 415-555-2671", "+447911123456"), Parse() reads the
 *   country code from the first 1-3 digits and, when the region's
 *   national-prefix pattern matches the rest (a "0" or "1" kept after the
 *   country code), strips it by rules not worth repeating; FastParse()
 *   builds the same PhoneNumber directly when that pattern does not match,
 *   and otherwise leaves the input to Parse().
 *
 *   National input ("(415) 555-2671" in US, "020 7946 0958" in GB, "1 415
 *   555 2671" in US), FastParseNational(): Parse() keeps only the digits;
 *   strips the region's international prefix ("011", "00") unless a 0
 *   follows, and then reads the rest as after a "+"; or else strips the
 *   region's own calling code when the number is too long with it, or fits
 *   the region's general pattern only without it; then strips the national
 *   prefix ("0", "1", "8") when what is left has a possible length and the
 *   general pattern does not say otherwise.  FastParse() takes the same
 *   steps with the same metadata, in the 202 of 245 regions whose national
 *   prefix is a plain string of digits or none (see BuildNationalPlans();
 *   the others, whose patterns strip carrier codes or rewrite the number,
 *   go to Parse()).  It runs the general pattern only when there is a
 *   prefix to decide on, and an international prefix pattern only where it
 *   is not a plain string (FI, HK, IL, SG, TH and others).
 *
 * - IsValid() answers IsValidNumber() without doing the same work twice.
 *   IsValidNumber() first finds the number's region among those sharing
 *   its calling code (+1: US, CA and 23 others; +44: GB, GG, IM, JE), by
 *   computing the number's type in each region until one fits, and then
 *   computes the type in the region found all over again.  For a US or GB
 *   number that is the same ten-odd regular expressions twice.  IsValid()
 *   runs the same search once, and tells whether a number has a type in a
 *   region itself (ValidInRegion()): the general pattern, then fixed line
 *   and mobile before the rarer types (the library tries those first), each
 *   pattern with one ICU matcher reset for each number (the library finds
 *   the pattern in its cache by hashing its text and makes a new matcher).
 *
 * Both rely on libphonenumber's internals: its compiled-in metadata
 * (metadata_get(), not in its installed headers) and the rules above, as
 * of version 8.12.  Without the metadata, or when SelfCheck() finds a
 * difference, ct_phone_normalize() uses Parse() and IsValidNumber() as is.
 *
 * make -C test/unit bench compares the two paths (test/unit/README.md); the
 * tables take a little longer to build for this one: a compiled general
 * pattern for each region.
 */
#include "phone.h"

#include <algorithm>
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
 * Parse()'s bounds on the national significant number it builds
 * (PhoneNumberUtil::kMinLengthForNsn and kMaxLengthForNsn, not public).
 */
constexpr size_t kMinLengthForNsn = 2;
constexpr size_t kMaxLengthForNsn = 17;

/*
 * Most digits FastParse() reads; more go to Parse().  No number we accept
 * has that many: after a plus or an international prefix 15 digits at
 * most, and national input keeps all but a 1-3 digit calling code and two
 * short national prefixes as its national number, which Parse() refuses
 * beyond 17 digits.
 */
constexpr size_t kMaxFastParseDigits = 24;

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

/*
 * One PhoneNumberDesc of a region, as IsNumberMatchingDesc() tests it: the
 * possible lengths (none: any) and the national number pattern (empty:
 * never matches), compiled and given a matcher on first use.
 */
struct TypeDesc
{
	std::vector<int> lengths;
	std::string pattern;
	mutable bool compiled = false;
	mutable std::unique_ptr<icu::RegexPattern> re;
	mutable std::unique_ptr<icu::RegexMatcher> matcher;
};

/*
 * What GetNumberTypeHelper() reads of a region to tell whether a number
 * has a type there (is not UNKNOWN): the general description, which must
 * match, and the descriptions of which one must.  The answer does not
 * depend on the order they are tried in, so the ones most numbers match
 * come first: fixed line, then mobile (only where its pattern is not the
 * fixed line's, as GetNumberTypeHelper() tries it), then the rarer types.
 */
struct RegionTypes
{
	TypeDesc	general;
	std::vector<TypeDesc> types;
};

/* One region sharing a calling code, as IsValidNumber() searches them. */
struct CallingCodeRegion
{
	std::string id;
	/* the region's leading_digits pattern, or null when it has none */
	std::shared_ptr<const icu::RegexPattern> leading_digits;

	/*
	 * The region's descriptions, or null when IsValidNumberForRegion() is
	 * left to the library.
	 */
	std::shared_ptr<const RegionTypes> types;
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
 * What FastParse() needs to read one region's national numbers as Parse()
 * does: the parts of the region's metadata that Parse() consults for input
 * without a plus sign, kept only when they have a shape FastParse() can
 * follow exactly (see BuildNationalPlans()).
 */
struct NationalPlan
{
	/* FastParse() may read national numbers with this region */
	bool		fast_parse = false;
	/* this region's part is usable, whether or not its main region's is */
	bool		usable = false;
	int			country_code = 0;
	/* the calling code in decimal, as MaybeExtractCountryCode() looks for it */
	std::string country_code_digits;
	/* international_prefix when it is only ASCII digits, else empty... */
	std::string idd;
	/* ...and then compiled, as ParsePrefixAsIdd() uses it */
	std::shared_ptr<const icu::RegexPattern> idd_pattern;
	/* national_prefix_for_parsing: only ASCII digits, or empty */
	std::string national_prefix;
	/* general_desc's national_number_pattern, or null when it is empty */
	std::shared_ptr<const icu::RegexPattern> general;
	/* general_desc's possible_length (never empty) and ..._local_only */
	std::vector<int> lengths;
	std::vector<int> local_lengths;

	/*
	 * The plan of the calling code's main region, whose metadata Parse()
	 * switches to when it strips the calling code from a national number
	 * (this plan itself when the region is the main one).
	 */
	const NationalPlan *main = nullptr;
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
	/* national[a][b]: region "AB" for FastParse() */
	NationalPlan national[26][26];
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
 * The ASCII string [s, s + n) as the UTF-16 string ICU matches, converted
 * as libphonenumber's IcuRegExpInput does.
 */
static icu::UnicodeString
ToUnicode(const char *s, size_t n)
{
	return icu::UnicodeString::fromUTF8(icu::StringPiece(s, (int32_t) n));
}

/*
 * libphonenumber's RegExp::Consume() without its capture (lookingAt() from
 * position 0: *end is where the match ends) or, with full, FullMatch()
 * (matches() from position 0), on the ASCII string [s, s + n); error is
 * set on ICU failure.
 */
static bool
Match(const icu::RegexPattern &re, const char *s, size_t n, bool full, size_t *end,
	  bool *error)
{
	UErrorCode	status = U_ZERO_ERROR;
	icu::UnicodeString s16 = ToUnicode(s, n);
	std::unique_ptr<icu::RegexMatcher> m(re.matcher(s16, status));
	bool		match = false;
	int32_t		e = 0;

	if (U_SUCCESS(status) && m)
		match = full ? m->matches(0, status) : m->lookingAt(0, status);
	if (U_SUCCESS(status) && m && match && !full)
		e = m->end(status);
	if (U_FAILURE(status) || !m || e < 0 || (size_t) e > n)
	{
		*error = true;
		return false;
	}
	if (match && !full)
		*end = (size_t) e;
	return match;
}

static bool
LookingAt(const icu::RegexPattern &re, const char *s, size_t n, size_t *end, bool *error)
{
	return Match(re, s, n, false, end, error);
}

static bool
FullMatch(const icu::RegexPattern &re, const char *s, size_t n, bool *error)
{
	return Match(re, s, n, true, NULL, error);
}

/* True when s is not empty and has only ASCII digits. */
static bool
IsDigitString(const std::string &s)
{
	if (s.empty())
		return false;
	for (char c : s)
	{
		if (c < '0' || c > '9')
			return false;
	}
	return true;
}

/* A description as TypeDesc keeps it. */
static TypeDesc
MakeTypeDesc(const i18n::phonenumbers::PhoneNumberDesc &d)
{
	TypeDesc	td;

	td.lengths.assign(d.possible_length().begin(), d.possible_length().end());
	td.pattern = d.national_number_pattern();
	return td;
}

/*
 * The descriptions of region md for HasType(), in the order it tries them
 * (see RegionTypes); those without a pattern never match and are left out.
 */
static std::shared_ptr<const RegionTypes>
BuildRegionTypes(const PhoneMetadata &md)
{
	std::shared_ptr<RegionTypes> rt = std::make_shared<RegionTypes>();
	const i18n::phonenumbers::PhoneNumberDesc *types[] = {
		&md.fixed_line(),
		md.same_mobile_and_fixed_line_pattern() ? nullptr : &md.mobile(),
		&md.premium_rate(), &md.toll_free(), &md.shared_cost(), &md.voip(),
		&md.personal_number(), &md.pager(), &md.uan(), &md.voicemail(),
	};

	rt->general = MakeTypeDesc(md.general_desc());
	for (const i18n::phonenumbers::PhoneNumberDesc *d : types)
	{
		if (d != nullptr && !d->national_number_pattern().empty())
			rt->types.push_back(MakeTypeDesc(*d));
	}
	return rt;
}

/* The compiled-in metadata, by region and (for "001") by calling code. */
typedef std::map<std::string, const PhoneMetadata *> MetadataByRegion;
typedef std::map<int, const PhoneMetadata *> MetadataByCode;

/*
 * Fill codes[] from the compiled-in metadata.  Anything missing or not
 * compiling leaves that code to Parse() and IsValidNumber().
 */
static void
BuildCallingCodes(PhoneTables *t, const MetadataByRegion &by_region,
				  const MetadataByCode &non_geo, PatternCache *cache)
{
	PatternCache &patterns = *cache;

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
			auto		it = by_region.find(ids.front());
			CallingCodeRegion r {ids.front(), nullptr, nullptr};

			if (it != by_region.end() && it->second->country_code() == cc)
				r.types = BuildRegionTypes(*it->second);
			code.regions.push_back(std::move(r));
			continue;
		}
		std::vector<CallingCodeRegion> regions;

		for (const std::string &id : ids)
		{
			auto		it = by_region.find(id);
			CallingCodeRegion r {id, nullptr, nullptr};

			if (it == by_region.end() || it->second->country_code() != cc)
			{
				usable = false;
				break;
			}
			r.types = BuildRegionTypes(*it->second);
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
 * Fill national[][] from the compiled-in metadata, for FastParse() on
 * national numbers.  A region is usable when everything Parse() reads from
 * its metadata for such input has a shape FastParse() follows exactly:
 *
 * - an international_prefix (all regions have one; an empty pattern
 *   would match everywhere): only digits, compared as a string, or else a
 *   pattern that compiles, run as Parse() runs it;
 * - no national_prefix_transform_rule, and a national_prefix_for_parsing
 *   that is empty or only digits, so that "matches at the start" is
 *   "starts with" and nothing is captured.  A pattern with alternatives,
 *   optional parts or groups (carrier codes and the like) leaves the region
 *   to Parse(): in 8.12.57, 43 regions of 245, among them AR, AU, BR, CN,
 *   CO, KR, MX, most +1 islands, GG, IM and JE;
 * - possible lengths (TestNumberLength() reads the first without looking),
 *   and a general pattern that compiles (or none).
 *
 * FastParse() takes a region only when its calling code's main region is
 * usable too, since Parse() switches to that region's metadata once it
 * has stripped the calling code from a national number ("1 416 555 0123"
 * in CA is read with US rules).
 */
static void
BuildNationalPlans(PhoneTables *t, const MetadataByRegion &by_region,
				   PatternCache *patterns)
{
	for (const auto &entry : by_region)
	{
		const std::string &id = entry.first;
		const PhoneMetadata &md = *entry.second;
		NationalPlan *plan;
		int			cc = md.country_code();

		if (id.size() != 2 || id[0] < 'A' || id[0] > 'Z' ||
			id[1] < 'A' || id[1] > 'Z' || !t->region_ok[id[0] - 'A'][id[1] - 'A'])
			continue;
		plan = &t->national[id[0] - 'A'][id[1] - 'A'];
		if (cc < 1 || cc > kMaxCallingCode || !t->codes[cc].known)
			continue;
		plan->country_code = cc;
		plan->country_code_digits = std::to_string(cc);

		if (md.international_prefix().empty())
			continue;
		if (IsDigitString(md.international_prefix()))
			plan->idd = md.international_prefix();
		else
		{
			plan->idd_pattern = CompilePattern(patterns, md.international_prefix());
			if (!plan->idd_pattern)
				continue;
		}

		if (!md.national_prefix_transform_rule().empty())
			continue;
		if (!md.national_prefix_for_parsing().empty())
		{
			if (!IsDigitString(md.national_prefix_for_parsing()))
				continue;
			plan->national_prefix = md.national_prefix_for_parsing();
		}

		if (md.general_desc().possible_length_size() == 0)
			continue;
		plan->lengths.assign(md.general_desc().possible_length().begin(),
							 md.general_desc().possible_length().end());
		plan->local_lengths.assign(md.general_desc().possible_length_local_only().begin(),
								   md.general_desc().possible_length_local_only().end());
		if (!md.general_desc().national_number_pattern().empty())
		{
			plan->general = CompilePattern(patterns, md.general_desc().national_number_pattern());
			if (!plan->general)
				continue;
		}
		plan->usable = true;
	}

	/* link each region to its calling code's main region */
	for (int a = 0; a < 26; a++)
	{
		for (int b = 0; b < 26; b++)
		{
			NationalPlan *plan = &t->national[a][b];
			std::string main_region;
			const NationalPlan *main;

			if (!plan->usable)
				continue;
			t->util->GetRegionCodeForCountryCode(plan->country_code, &main_region);
			if (main_region.size() != 2 || main_region[0] < 'A' || main_region[0] > 'Z' ||
				main_region[1] < 'A' || main_region[1] > 'Z')
				continue;
			main = &t->national[main_region[0] - 'A'][main_region[1] - 'A'];
			if (!main->usable || main->country_code != plan->country_code)
				continue;
			plan->main = main;
			plan->fast_parse = true;
		}
	}
}

/*
 * Build codes[] and national[][] from the compiled-in metadata, the bytes
 * PhoneNumberUtil itself parses.  Without it both stay empty, and every
 * number goes to Parse() and IsValidNumber().
 */
static void
BuildFromMetadata(PhoneTables *t)
{
	std::unique_ptr<PhoneMetadataCollection> collection;
	MetadataByRegion by_region;
	MetadataByCode non_geo;
	PatternCache patterns;

	if (i18n::phonenumbers::metadata_get == nullptr ||
		i18n::phonenumbers::metadata_size == nullptr)
		return;
	collection.reset(new PhoneMetadataCollection());
	if (!collection->ParseFromArray(i18n::phonenumbers::metadata_get(),
									i18n::phonenumbers::metadata_size()))
		return;

	/*
	 * The first entry for an id wins, as in PhoneNumberUtil's own maps
	 * (they are filled with insert()); ids are unique anyway.
	 */
	for (const PhoneMetadata &md : collection->metadata())
	{
		if (md.id() == PhoneNumberUtil::kRegionCodeForNonGeoEntity)
			non_geo.emplace(md.country_code(), &md);
		else
			by_region.emplace(md.id(), &md);
	}
	BuildCallingCodes(t, by_region, non_geo, &patterns);
	BuildNationalPlans(t, by_region, &patterns);
}

/*
 * Fill *pn as Parse() does once it has the calling code cc and the national
 * significant number [nsn, nsn + n), 2 to 17 ASCII digits: the code, the
 * leading zeros (SetItalianLeadingZerosForPhoneNumber()), the digits as an
 * integer, and nothing else (no raw input, source or carrier: Parse() does
 * not keep them).
 */
static void
SetNumber(int cc, const char *nsn, size_t n, PhoneNumber *pn)
{
	uint64_t	national = 0;
	size_t		zeros;

	pn->Clear();
	pn->set_country_code(cc);
	if (n > 1 && nsn[0] == '0')
	{
		pn->set_italian_leading_zero(true);
		/* in an all-zero number the last zero is not a leading one */
		for (zeros = 1; zeros < n - 1 && nsn[zeros] == '0'; zeros++)
			;
		if (zeros != 1)
			pn->set_number_of_leading_zeros((int) zeros);
	}
	for (size_t i = 0; i < n; i++)
		national = national * 10 + (uint64_t) (nsn[i] - '0');
	pn->set_national_number(national);
}

/*
 * Parse() once a plus sign has been read, or an international prefix
 * stripped (both then take the same path), for the n ASCII digits d that
 * follow it: true with *pn filled exactly as Parse() would, false to leave
 * the input to Parse().  Parse() takes as calling code the first 1-3
 * digits that are one, unless the first is 0; strips a national prefix
 * when the main region's national_prefix_for_parsing matches the national
 * number's start (that case is left to Parse()); and records leading
 * zeros for Italian-style numbers.
 */
static bool
FastParseInternational(const PhoneTables &t, const char *d, size_t n, PhoneNumber *pn)
{
	int			cc = 0;
	size_t		cc_len = 0;
	bool		error;

	/* too few or too many digits for E.164: let Parse() say so */
	if (n < kMinE164Digits || n > kMaxE164Digits || d[0] == '0')
		return false;
	for (size_t i = 1; i <= kMaxCallingCodeDigits; i++)
	{
		int			v = 0;

		for (size_t k = 0; k < i; k++)
			v = v * 10 + (d[k] - '0');
		if (t.codes[v].known)
		{
			cc = v;
			cc_len = i;
			break;
		}
	}
	if (cc == 0 || !t.codes[cc].fast_parse)
		return false;

	std::string nsn(d + cc_len, n - cc_len);

	if (t.codes[cc].national_prefix &&
		(MatchesAtStart(*t.codes[cc].national_prefix, nsn, &error) || error))
		return false;
	SetNumber(cc, nsn.data(), nsn.size(), pn);
	return true;
}

/* libphonenumber's ValidationResult, as TestNumberLength() gives it. */
enum LengthResult
{
	kIsPossible,
	kIsPossibleLocalOnly,
	kTooShort,
	kInvalidLength,
	kTooLong
};

/*
 * TestNumberLength(number, metadata) for a number of n digits: it reads
 * the general description's lengths only, and trusts the first and last to
 * be the shortest and longest (so do we).
 */
static LengthResult
TestLength(const NationalPlan &plan, size_t n)
{
	const std::vector<int> &lengths = plan.lengths;
	const std::vector<int> &local = plan.local_lengths;
	int			actual = (int) n;

	if (lengths.front() == -1)
		return kInvalidLength;
	if (std::find(local.begin(), local.end(), actual) != local.end())
		return kIsPossibleLocalOnly;
	if (lengths.front() == actual)
		return kIsPossible;
	if (lengths.front() > actual)
		return kTooShort;
	if (lengths.back() < actual)
		return kTooLong;
	return std::find(lengths.begin() + 1, lengths.end(), actual) != lengths.end() ?
		kIsPossible : kInvalidLength;
}

/*
 * IsMatch(number, general_desc): the whole of [s, s + n) matches the
 * general pattern; an empty pattern matches nothing (RegexBasedMatcher).
 */
static bool
IsGeneralMatch(const NationalPlan &plan, const char *s, size_t n, bool *error)
{
	if (!plan.general)
		return false;
	return FullMatch(*plan.general, s, n, error);
}

/*
 * MaybeStripNationalPrefixAndCarrierCode() with plan's prefix, a string of
 * digits: how many leading digits of [s, s + n) it strips, 0 or all of the
 * prefix.  The prefix stays when the number matched the general pattern
 * with it and would not without it.  (A pattern without groups captures no
 * carrier code.)  The caller checks error.
 */
static size_t
StripNationalPrefix(const NationalPlan &plan, const char *s, size_t n, bool *error)
{
	size_t		k = plan.national_prefix.size();

	if (n == 0 || k == 0 || n < k || std::memcmp(s, plan.national_prefix.data(), k) != 0)
		return 0;
	if (IsGeneralMatch(plan, s, n, error) && !IsGeneralMatch(plan, s + k, n - k, error))
		return 0;
	return k;
}

/*
 * Parse(raw, region) for national input: the n ASCII digits d of input
 * that had only digits, spaces, dashes, dots and parentheses and no plus
 * sign, read with the region of plan (fast_parse set).  True with *pn
 * filled exactly as Parse() would, false to leave the input to Parse().
 *
 * Parse(), for such input, with a supported region:
 *
 * - finds no RFC 3966 part, extension or second number (they need ';',
 *   letters, '#', ',', '/' or '~'); cuts what precedes the first digit and
 *   follows the last; finds it viable when it has three digits at least;
 *   and, having no plus sign, keeps only the digits ("normalizes").
 * - strips the region's international prefix (IDD) when it matches the
 *   start and is not followed by a 0 (ParsePrefixAsIdd()), and then reads
 *   the rest as after a plus sign: FastParseInternational().
 * - strips the region's own calling code from the start when the number is
 *   too long for the region with it (TestNumberLength()), or matches the
 *   region's general pattern without it (and without a national prefix
 *   after it) but not with it (MaybeExtractCountryCode()); Parse() then
 *   goes on with the metadata of the code's main region.
 * - needs 2 digits at least, then strips the national prefix when
 *   MaybeStripNationalPrefixAndCarrierCode() does and what is left has a
 *   possible length or is too long (not too short, local only or of an
 *   impossible length);
 * - needs 2 to 17 digits left, the national significant number.
 */
static bool
FastParseNational(const PhoneTables &t, const NationalPlan &plan,
				  const char *d, size_t n, PhoneNumber *pn)
{
	const NationalPlan *md = &plan;
	const char *nsn = d;
	size_t		nsn_len = n;
	size_t		idd_len = 0;
	bool		idd;
	bool		error = false;

	/* IsViablePhoneNumber() */
	if (n < 3)
		return false;

	/* MaybeStripInternationalPrefixAndNormalize(), ParsePrefixAsIdd() */
	if (plan.idd_pattern)
	{
		idd = LookingAt(*plan.idd_pattern, d, n, &idd_len, &error);
		if (error)
			return false;
	}
	else
	{
		idd_len = plan.idd.size();
		idd = n >= idd_len && std::memcmp(d, plan.idd.data(), idd_len) == 0;
	}
	if (idd && (idd_len == n || d[idd_len] != '0'))
		return FastParseInternational(t, d + idd_len, n - idd_len, pn);

	/* MaybeExtractCountryCode(): the calling code without a plus */
	const std::string &cc_digits = plan.country_code_digits;

	if (n >= cc_digits.size() && std::memcmp(d, cc_digits.data(), cc_digits.size()) == 0)
	{
		const char *rest = d + cc_digits.size();
		size_t		rest_len = n - cc_digits.size();
		size_t		strip = StripNationalPrefix(plan, rest, rest_len, &error);
		bool		take;

		if (error)
			return false;
		if (TestLength(plan, n) == kTooLong)
			take = true;
		else
		{
			take = !IsGeneralMatch(plan, d, n, &error) &&
				IsGeneralMatch(plan, rest + strip, rest_len - strip, &error);
			if (error)
				return false;
		}
		if (take)
		{
			nsn = rest + strip;
			nsn_len = rest_len - strip;
			md = plan.main;
		}
	}

	/* ParseHelper(): the national prefix, if what is left is long enough */
	if (nsn_len < kMinLengthForNsn)
		return false;

	size_t		k = md->national_prefix.size();

	if (k > 0 && nsn_len >= k && std::memcmp(nsn, md->national_prefix.data(), k) == 0)
	{
		LengthResult r = TestLength(*md, nsn_len - k);

		/* otherwise Parse() keeps the number as it is, stripped or not */
		if (r == kIsPossible || r == kTooLong)
		{
			size_t		strip = StripNationalPrefix(*md, nsn, nsn_len, &error);

			if (error)
				return false;
			nsn += strip;
			nsn_len -= strip;
		}
	}
	if (nsn_len < kMinLengthForNsn || nsn_len > kMaxLengthForNsn)
		return false;
	SetNumber(plan.country_code, nsn, nsn_len, pn);
	return true;
}

/*
 * Parse(raw, region) for input of only digits, spaces, dashes, dots and
 * parentheses, after an optional leading plus sign: true with *pn filled
 * exactly as Parse() would, false to leave the input to Parse().  plan is
 * the region's, or null for no region.  "+" input is read whatever the
 * region (after a plus sign Parse() reads a number alike in every region),
 * national input only with a region whose plan has fast_parse.
 */
static bool
FastParse(const PhoneTables &t, const unsigned char *p, size_t len,
		  const NationalPlan *plan, PhoneNumber *pn)
{
	char		digits[kMaxFastParseDigits];
	size_t		n = 0;
	bool		plus = len > 0 && p[0] == '+';

	for (size_t i = plus ? 1 : 0; i < len; i++)
	{
		unsigned char c = p[i];

		if (c >= '0' && c <= '9')
		{
			if (n == kMaxFastParseDigits)
				return false;	/* let Parse() say it is too long */
			digits[n++] = (char) c;
		}
		else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
			return false;
	}
	if (plus)
		return FastParseInternational(t, digits, n, pn);
	if (plan == nullptr || !plan->fast_parse)
		return false;
	return FastParseNational(t, *plan, digits, n, pn);
}

/* The plan of a region that ResolveRegion() accepted. */
static const NationalPlan *
PlanFor(const PhoneTables &t, const char *region)
{
	return &t.national[region[0] - 'A'][region[1] - 'A'];
}

/*
 * PhoneNumberUtil::IsNumberMatchingDesc(): the national significant number
 * nsn (n digits, s16 in UTF-16) has one of d's possible lengths, if it
 * lists any, and matches its pattern whole (RegexBasedMatcher's
 * FullMatch(), with the pattern compiled as IcuRegExp compiles it).  The
 * matcher is made once and reset for each number, where the library makes
 * a new one each time.  error is set on ICU failure.
 */
static bool
DescMatches(const TypeDesc &d, const icu::UnicodeString &s16, size_t n, bool *error)
{
	UErrorCode	status = U_ZERO_ERROR;
	bool		match;

	if (!d.lengths.empty() &&
		std::find(d.lengths.begin(), d.lengths.end(), (int) n) == d.lengths.end())
		return false;
	if (d.pattern.empty())
		return false;
	if (!d.compiled)
	{
		UParseError perr;

		d.compiled = true;
		d.re.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(d.pattern),
											  0, perr, status));
		if (U_FAILURE(status))
			d.re.reset();
		else
			d.matcher.reset(d.re->matcher(status));
		if (U_FAILURE(status))
			d.matcher.reset();
	}
	if (!d.matcher)
	{
		*error = true;
		return false;
	}
	d.matcher->reset(s16);
	match = d.matcher->matches(status);
	if (U_FAILURE(status))
	{
		*error = true;
		return false;
	}
	return match;
}

/*
 * PhoneNumberUtil::IsValidNumberForRegion(pn, r.id) for a region r of pn's
 * calling code, nsn being pn's national significant number: whether
 * GetNumberTypeHelper() finds a type, which is the general description
 * matching and then any one of the others (see RegionTypes).  Asks the
 * library where r has no descriptions or ICU fails.
 */
static bool
ValidInRegion(const PhoneTables &t, const PhoneNumber &pn, const CallingCodeRegion &r,
			  const std::string &nsn)
{
	bool		error = false;
	bool		valid = false;

	if (r.types)
	{
		icu::UnicodeString s16 = icu::UnicodeString::fromUTF8(nsn);

		if (DescMatches(r.types->general, s16, nsn.size(), &error))
		{
			for (const TypeDesc &d : r.types->types)
			{
				if (DescMatches(d, s16, nsn.size(), &error) || error)
				{
					valid = !error;
					break;
				}
			}
		}
		if (!error)
			return valid;
	}
	return t.util->IsValidNumberForRegion(pn, r.id);
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

	t.util->GetNationalSignificantNumber(pn, &nsn);
	if (regions.size() == 1)
		return ValidInRegion(t, pn, regions[0], nsn);

	for (const CallingCodeRegion &r : regions)
	{
		if (r.leading_digits)
		{
			bool		error;

			if (MatchesAtStart(*r.leading_digits, nsn, &error))
				return ValidInRegion(t, pn, r, nsn);
			if (error)
				return t.util->IsValidNumber(pn);
		}
		else if (ValidInRegion(t, pn, r, nsn))
			return true;
	}
	return false;				/* region "ZZ": never valid */
}

/*
 * Numbers SelfCheck() runs both ways, with a region or none.  They walk the
 * main branches of FastParse() and IsValid(): 1-, 2- and 3-digit calling
 * codes, a non-geographic one, Italian leading zeros, a national prefix
 * kept after the country code, the +1 and +44 region searches (US, CA
 * after the leading-digit regions, AI with leading digits, GB, GG, IM),
 * invalid numbers; national numbers plain, with a national prefix, with the
 * region's own calling code (stripped because too long, or because only
 * the rest matches; in CA read with US rules), with an international prefix
 * (followed by a 0 it is none), and too short to be anything.  They use
 * only regions most imports touch anyway: each region checked makes
 * libphonenumber compile and cache its patterns, some 50 KB a region.  The
 * unit test covers the rest.
 */
static const struct
{
	const char *number;
	const char *region;			/* null: none ("ZZ") */
}			kSelfCheckNumbers[] = {
	{"+14155552671", nullptr}, {"+1 416 555 0123", nullptr},
	{"+12642351234", nullptr}, {"+11234567890", nullptr},
	{"+1415555267", nullptr}, {"+447911123456", nullptr},
	{"+441481256789", nullptr}, {"+447624123456", nullptr},
	{"+4407911123456", nullptr}, {"+442079460958", nullptr},
	{"+390612345678", nullptr}, {"+39 3123456789", nullptr},
	{"+80012345678", nullptr}, {"+919876543210", nullptr},
	{"+4915123456789", nullptr}, {"+49030123456", nullptr},
	{"+33612345678", nullptr},
	{"(415) 555-2671", "US"}, {"1 415 555 2671", "US"},
	{"1 416 555 0123", "CA"}, {"011 44 7911 123456", "US"},
	{"011 0 20 7946 0958", "US"}, {"1234", "US"}, {"(123) 456-7890", "US"},
	{"020 7946 0958", "GB"}, {"44 20 7946 0958", "GB"},
	{"0151 23456789", "DE"}, {"49 30 12345678", "DE"},
	{"09876543210", "IN"}, {"98765 43210", "IN"},
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
	for (const auto &c : kSelfCheckNumbers)
	{
		std::string input(c.number);
		PhoneNumber fast;
		PhoneNumber slow;
		bool		parsed = t.util->Parse(input, c.region ? c.region : "ZZ", &slow) ==
			PhoneNumberUtil::NO_PARSING_ERROR;

		if (FastParse(t, (const unsigned char *) input.data(), input.size(),
					  c.region ? PlanFor(t, c.region) : nullptr, &fast) &&
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
	BuildFromMetadata(t.get());
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

/* An input as every entry point reads it: trimmed, its region resolved. */
struct PhoneInput
{
	const unsigned char *p;
	size_t		len;
	char		region_buf[3];
	bool		have_region;
};

static PhoneInput
ReadInput(const PhoneTables &t, const char *in, size_t len, const char *region)
{
	PhoneInput	r;

	r.p = (const unsigned char *) in;
	r.len = len;
	Trim(&r.p, &r.len);
	r.have_region = ResolveRegion(t, region, r.region_buf);
	return r;
}

/* libphonenumber's own Parse of an input ("ZZ" without a region). */
static bool
ParseSlow(const PhoneTables &t, const PhoneInput &in, PhoneNumber *pn)
{
	return t.util->Parse(std::string((const char *) in.p, in.len),
						 std::string(in.have_region ? in.region_buf : "ZZ"),
						 pn) == PhoneNumberUtil::NO_PARSING_ERROR;
}

/* The fast parse of an input; false when it declines. */
static bool
ParseFast(const PhoneTables &t, const PhoneInput &in, PhoneNumber *pn)
{
	return FastParse(t, in.p, in.len, in.have_region ? PlanFor(t, in.region_buf) : nullptr, pn);
}

/* ct_phone_normalize or (reference) ct_phone_normalize_reference; may throw. */
static CtPhoneResult
Normalize(const char *in, size_t len, const char *region,
		  char *out, int64_t *e164, bool reference)
{
	const PhoneTables &t = GetPhoneTables();
	PhoneInput	input = ReadInput(t, in, len, region);
	InputShape	shape;
	PhoneNumber pn;
	bool		valid;

	if (input.len == 0 || input.len > kMaxInputLen)
		return CT_PHONE_INVALID;
	shape = ScanInput(input.p, input.len);

	if (reference)
	{
		if (!ParseSlow(t, input, &pn))
			return FailureKind(shape, input.have_region);
		valid = t.util->IsValidNumber(pn);
	}
	else
	{
		CtPhoneResult r = Prescreen(shape, input.have_region);

		if (r != CT_PHONE_OK)
			return r;
		if (!(t.shortcuts && ParseFast(t, input, &pn)) && !ParseSlow(t, input, &pn))
			return FailureKind(shape, input.have_region);
		valid = IsValid(t, pn);
	}
	if (!valid)
		return FailureKind(shape, input.have_region);
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

/* Normalize, no C++ exception escaping to C (the backend). */
static CtPhoneResult
NormalizeCaught(const char *in, size_t len, const char *region, char *out, int64_t *e164,
				bool reference)
{
	try
	{
		return Normalize(in, len, region, out, e164, reference);
	}
	catch (...)
	{
		return CT_PHONE_INTERNAL;
	}
}

/* See phone.h. */
extern "C" CtPhoneResult
ct_phone_normalize(const char *in, size_t len, const char *region,
				   char *out, int64_t *e164)
{
	return NormalizeCaught(in, len, region, out, e164, false);
}

/* See phone.h. */
extern "C" CtPhoneResult
ct_phone_normalize_reference(const char *in, size_t len, const char *region,
							 char *out, int64_t *e164)
{
	return NormalizeCaught(in, len, region, out, e164, true);
}

/* See phone.h. */
extern "C" int
ct_phone_shortcuts_enabled(void)
{
	try
	{
		return GetPhoneTables().shortcuts ? 1 : 0;
	}
	catch (...)
	{
		return -1;
	}
}

/* See phone.h. */
extern "C" int
ct_phone_fast_parse_check(const char *in, size_t len, const char *region)
{
	try
	{
		const PhoneTables &t = GetPhoneTables();
		PhoneInput	input = ReadInput(t, in, len, region);
		PhoneNumber fast;
		PhoneNumber slow;

		if (!ParseFast(t, input, &fast))
			return 0;
		if (!ParseSlow(t, input, &slow))
			return -1;
		return fast.SerializeAsString() == slow.SerializeAsString() ? 1 : -1;
	}
	catch (...)
	{
		return -2;
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
