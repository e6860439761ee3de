/*
 * Unit tests for the builtins: every filter, every test and the str,
 * list and dict methods, each table row checked against what Jinja2
 * 3.1 renders for the same template (the expected texts were produced
 * by the real Jinja2).  Table completeness is checked too: every filter
 * and test of the tables appears in a case here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tmpl_builtins.h"
#include "tmpl_helper.h"

static const struct th_case filter_cases[] = {
	{ "{{ -3|abs }}|{{ (-2.5)|abs }}", NULL,
	  "3|2.5" },
	{ "{{ d|attr('x') }}", "{\"d\":{\"x\":1}}",
	  "ERROR t.j2:1: error: 'dict object' has no attribute 'x'" },
	{ "{{ [1,2,3,4,5]|batch(2)|list }}|{{ [1,2,3]|batch(2, 'x')|list }}", NULL,
	  "[[1, 2], [3, 4], [5]]|[[1, 2], [3, 'x']]" },
	{ "{{ 'hELLO'|capitalize }}", NULL,
	  "Hello" },
	{ "[{{ 'ab'|center(6) }}]", NULL,
	  "[  ab  ]" },
	{ "{{ [1,2]|count }}", NULL,
	  "2" },
	{ "{{ missing|d('x') }}|{{ ''|d('e', true) }}", NULL,
	  "x|e" },
	{ "{{ missing|default('dflt') }}|{{ none|default('n') }}|{{ 0|default(5, boolean=true) }}", NULL,
	  "dflt|None|5" },
	{ "{{ {'b':1,'A':2}|dictsort }}|{{ {'b':1,'a':2}|dictsort(by='value') }}", NULL,
	  "[('A', 2), ('b', 1)]|[('b', 1), ('a', 2)]" },
	{ "{{ '<a&b>'|e }}", NULL,
	  "&lt;a&amp;b&gt;" },
	{ "{{ '\"x\"'|escape }}|{{ '<i>'|safe|escape }}", NULL,
	  "&#34;x&#34;|<i>" },
	{ "{{ 999|filesizeformat }}|{{ 2048|filesizeformat(true) }}|{{ (10**9)|filesizeformat }}", NULL,
	  "999 Bytes|2.0 KiB|1.0 GB" },
	{ "{{ [4,5]|first }}|{{ 'xy'|first }}", NULL,
	  "4|x" },
	{ "{{ '1.5'|float }}|{{ 'x'|float(2.0) }}|{{ 3|float }}", NULL,
	  "1.5|2.0|3.0" },
	{ "{{ '<i>'|safe|forceescape }}", NULL,
	  "&lt;i&gt;" },
	{ "{{ '%s:%d'|format('a', 7) }}|{{ '%(x)s'|format(x=1) }}", NULL,
	  "a:7|1" },
	{ "{% for g in [{'k':1,'n':'a'},{'k':2,'n':'b'},{'k':1,'n':'c'}]|groupby('k') %}{{ g.grouper }}={{ g.list|map(attribute='n')|join }};{% endfor %}", NULL,
	  "1=ac;2=b;" },
	{ "{{ 'a\\nb'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}", NULL,
	  "a\n  b|  a\n  b" },
	{ "{{ '42'|int }}|{{ '0x10'|int(0, 16) }}|{{ 'x'|int(-1) }}|{{ 7.9|int }}", NULL,
	  "42|16|-1|7" },
	{ "{{ {'a':1}|items|list }}", NULL,
	  "[('a', 1)]" },
	{ "{{ [1,2]|join('-') }}|{{ [{'n':'a'},{'n':'b'}]|join(',', attribute='n') }}", NULL,
	  "1-2|a,b" },
	{ "{{ [4,5]|last }}", NULL,
	  "5" },
	{ "{{ length_src|length }}", "{\"length_src\":[1,2,3]}",
	  "3" },
	{ "{{ 'ab'|list }}|{{ (1,2)|list }}", NULL,
	  "['a', 'b']|[1, 2]" },
	{ "{{ 'ABC'|lower }}", NULL,
	  "abc" },
	{ "{{ ['a','b']|map('upper')|list }}|{{ [{'x':1},{'y':2}]|map(attribute='x', default=0)|list }}", NULL,
	  "['A', 'B']|[1, 0]" },
	{ "{{ [2,9,4]|max }}|{{ [{'a':3},{'a':1}]|max(attribute='a') }}", NULL,
	  "9|{'a': 3}" },
	{ "{{ [2,9,4]|min }}|{{ ['b','A']|min }}", NULL,
	  "2|A" },
	{ "{{ {'b':[1,2],'a':None}|pprint }}", NULL,
	  "{'a': None, 'b': [1, 2]}" },
	{ "{{ [7]|random }}", NULL,
	  "7" },
	{ "{{ [1,2,3,4]|reject('odd')|list }}", NULL,
	  "[2, 4]" },
	{ "{{ [{'on':true,'n':1},{'on':false,'n':2}]|rejectattr('on')|map(attribute='n')|list }}", NULL,
	  "[2]" },
	{ "{{ 'aaa'|replace('a', 'b', 2) }}", NULL,
	  "bba" },
	{ "{{ [1,2,3]|reverse|list }}|{{ 'abc'|reverse }}", NULL,
	  "[3, 2, 1]|cba" },
	{ "{{ 2.5|round }}|{{ 2.567|round(2) }}|{{ 2.1|round(0, 'ceil') }}|{{ 2.9|round(method='floor') }}", NULL,
	  "2.0|2.57|3.0|2.0" },
	{ "{{ '<b>'|safe }}", NULL,
	  "<b>" },
	{ "{{ [1,2,3,4]|select('even')|list }}|{{ [1,5,9]|select('>', 4)|list }}", NULL,
	  "[2, 4]|[5, 9]" },
	{ "{{ [{'on':true,'n':1},{'on':false,'n':2}]|selectattr('on')|map(attribute='n')|list }}", NULL,
	  "[1]" },
	{ "{{ [1,2,3,4,5]|slice(2)|list }}", NULL,
	  "[[1, 2, 3], [4, 5]]" },
	{ "{{ [3,1,2]|sort }}|{{ ['b','A','c']|sort(reverse=true) }}|{{ [{'a':2},{'a':1}]|sort(attribute='a') }}", NULL,
	  "[1, 2, 3]|['c', 'b', 'A']|[{'a': 1}, {'a': 2}]" },
	{ "{{ 12|string ~ [1]|string }}", NULL,
	  "12[1]" },
	{ "{{ '<p>a <b>b</b></p>'|striptags }}", NULL,
	  "a b" },
	{ "{{ [1,2,3]|sum }}|{{ [{'v':1.5},{'v':2}]|sum(attribute='v') }}", NULL,
	  "6|3.5" },
	{ "{{ 'hello big-world'|title }}", NULL,
	  "Hello Big-World" },
	{ "{{ {'b':1,'a':[true,none]}|tojson }}|{{ [1]|tojson(indent=2) }}", NULL,
	  "{\"a\": [true, null], \"b\": 1}|[\n  1\n]" },
	{ "[{{ '  x  '|trim }}]|[{{ '--x--'|trim('-') }}]", NULL,
	  "[x]|[x]" },
	{ "{{ 'Hello world foo bar baz'|truncate(14) }}|{{ 'abcdefghijk'|truncate(8, true) }}", NULL,
	  "Hello...|abcdefghijk" },
	{ "{{ [1,2,1,3]|unique|list }}|{{ ['a','A']|unique|list }}", NULL,
	  "[1, 2, 3]|['a']" },
	{ "{{ 'abc'|upper }}", NULL,
	  "ABC" },
	{ "{{ 'a b/c'|urlencode }}|{{ {'k':'v w'}|urlencode }}", NULL,
	  "a%20b/c|k=v+w" },
	{ "{{ 'see https://example.com now'|urlize }}", NULL,
	  "see <a href=\"https://example.com\" rel=\"noopener\">https://example.com</a> now" },
	{ "{{ 'one two, three'|wordcount }}", NULL,
	  "3" },
	{ "{{ 'aaa bbb ccc ddd'|wordwrap(7) }}", NULL,
	  "aaa bbb\nccc ddd" },
	{ "{{ {'id':'x','n':none,'c':'a b'}|xmlattr }}", NULL,
	  " id=\"x\" c=\"a b\"" },
};

static const struct th_case test_cases[] = {
	{ "{{ 1 is boolean }}{{ true is boolean }}", NULL,
	  "FalseTrue" },
	{ "{{ range is callable }}{{ 1 is callable }}", NULL,
	  "TrueFalse" },
	{ "{{ x is defined }}{{ y is defined }}", "{\"x\":1}",
	  "TrueFalse" },
	{ "{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(2) }}", NULL,
	  "TrueFalse" },
	{ "{{ 1 is eq 1 }}{{ 1 is == 2 }}{{ 'a' is equalto 'a' }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '=='" },
	{ "{{ 'x'|e is escaped }}{{ 'x' is escaped }}", NULL,
	  "TrueFalse" },
	{ "{{ 2 is even }}{{ 3 is even }}", NULL,
	  "TrueFalse" },
	{ "{{ false is false }}{{ 0 is false }}", NULL,
	  "TrueFalse" },
	{ "{{ 'upper' is filter }}{{ 'nope' is filter }}", NULL,
	  "TrueFalse" },
	{ "{{ 1.0 is float }}{{ 1 is float }}", NULL,
	  "TrueFalse" },
	{ "{{ 3 is ge 3 }}{{ 3 is >= 4 }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '>='" },
	{ "{{ 3 is greaterthan 2 }}{{ 3 is gt 3 }}{{ 3 is > 1 }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '>'" },
	{ "{{ 1 is in [1] }}{{ 'z' is in 'abc' }}", NULL,
	  "TrueFalse" },
	{ "{{ 1 is integer }}{{ true is integer }}{{ 1.0 is integer }}", NULL,
	  "TrueFalseFalse" },
	{ "{{ 'ab' is iterable }}{{ 1 is iterable }}", NULL,
	  "TrueFalse" },
	{ "{{ 2 is le 2 }}{{ 2 is <= 1 }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '<='" },
	{ "{{ 1 is lessthan 2 }}{{ 1 is lt 1 }}{{ 1 is < 2 }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '<'" },
	{ "{{ 'ab' is lower }}{{ 'aB' is lower }}", NULL,
	  "TrueFalse" },
	{ "{{ {} is mapping }}{{ [] is mapping }}", NULL,
	  "TrueFalse" },
	{ "{{ 1 is ne 2 }}{{ 1 is != 1 }}", NULL,
	  "ERROR t.j2:1: error: expected token 'name', got '!='" },
	{ "{{ none is none }}{{ 0 is none }}", NULL,
	  "TrueFalse" },
	{ "{{ 1 is number }}{{ 'a' is number }}", NULL,
	  "TrueFalse" },
	{ "{{ 3 is odd }}{{ 4 is odd }}", NULL,
	  "TrueFalse" },
	{ "{{ x is sameas x }}{{ [] is sameas [] }}", "{\"x\":[1]}",
	  "TrueFalse" },
	{ "{{ 'a' is sequence }}{{ 1 is sequence }}", NULL,
	  "TrueFalse" },
	{ "{{ 'a' is string }}{{ 1 is string }}", NULL,
	  "TrueFalse" },
	{ "{{ 'odd' is test }}{{ 'upper' is test }}{{ 'nope' is test }}", NULL,
	  "TrueTrueFalse" },
	{ "{{ true is true }}{{ 1 is true }}", NULL,
	  "TrueFalse" },
	{ "{{ y is undefined }}{{ 1 is undefined }}", NULL,
	  "TrueFalse" },
	{ "{{ 'AB' is upper }}{{ 'Ab' is upper }}", NULL,
	  "TrueFalse" },
	{ "{{ [1,2,3]|select('==', 2)|list }}{{ [1,2,3]|select('!=', 2)|list }}{{ [1,2,3]|select('<', 2)|list }}{{ [1,2,3]|select('<=', 2)|list }}{{ [1,2,3]|select('>=', 2)|list }}", NULL,
	  "[2][1, 3][1][1, 2][2, 3]" },
};

static const struct th_case method_cases[] = {
	{ "{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}{{ 'ab cd'.title() }}{{ 'aB'.capitalize() }}{{ 'aB'.swapcase() }}{{ 'ẞ'.casefold() }}", NULL,
	  "ABabAb CdAbAbss" },
	{ "[{{ ' a '.strip() }}][{{ ' a '.lstrip() }}][{{ ' a '.rstrip() }}][{{ 'xax'.strip('x') }}]", NULL,
	  "[a][a ][ a][a]" },
	{ "{{ 'a b  c'.split() }}{{ 'a,b,c'.split(',', 1) }}{{ 'a,b,c'.rsplit(',', 1) }}{{ ' a b '.rsplit(None, 1) }}{{ 'x\\ny\\r\\nz'.splitlines() }}", NULL,
	  "['a', 'b', 'c']['a', 'b,c']['a,b', 'c'][' a', 'b']['x', 'y', 'z']" },
	{ "{{ '-'.join(['a','b']) }}{{ 'aXbX'.replace('X', '') }}{{ 'abc'.startswith('a') }}{{ 'abc'.endswith(('x','c')) }}", NULL,
	  "a-babTrueTrue" },
	{ "{{ 'banana'.find('an') }}{{ 'banana'.rfind('an') }}{{ 'banana'.index('n') }}{{ 'banana'.rindex('a') }}{{ 'banana'.count('a') }}{{ 'aaaa'.count('aa') }}", NULL,
	  "132532" },
	{ "{{ '{}-{x}'.format(1, x=2) }}{{ '{:>4}|{:<4}|{:^5}|{:04d}|{:.3f}|{:,}|{:e}|{:%}'.format('a','b','c',7,3.14159,1234567,1234.5,0.25) }}", NULL,
	  "1-2   a|b   |  c  |0007|3.142|1,234,567|1.234500e+03|25.000000%" },
	{ "{{ 'ab'.ljust(4,'.') }}{{ 'ab'.rjust(4) }}{{ 'ab'.center(5,'*') }}{{ '-7'.zfill(4) }}{{ 'a=b=c'.partition('=') }}{{ 'a=b=c'.rpartition('=') }}", NULL,
	  "ab..  ab**ab*-007('a', '=', 'b=c')('a=b', '=', 'c')" },
	{ "{{ 'abc'.isalpha() }}{{ '12'.isdigit() }}{{ 'a1'.isalnum() }}{{ ' '.isspace() }}{{ 'AB'.isupper() }}{{ 'ab'.islower() }}{{ 'pre_x'.removeprefix('pre_') }}{{ 'x.j2'.removesuffix('.j2') }}", NULL,
	  "TrueTrueTrueTrueTrueTruexx" },
	{ "{% set l = [3] %}{% set _ = l.append(1) %}{% set _ = l.extend([2]) %}{% set _ = l.insert(0, 0) %}{{ l }}{{ l.pop() }}{{ l.pop(0) }}{{ l }}{{ l.index(1) }}{{ l.count(3) }}{% set _ = l.reverse() %}{{ l }}{{ l.copy() }}", NULL,
	  "[0, 3, 1, 2]20[3, 1]11[1, 3][1, 3]" },
	{ "{% set d = {'a': 1} %}{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 0) }}{{ d.keys()|list }}{{ d.values()|list }}{{ d.items()|list }}{% set _ = d.update(b=2) %}{{ d }}{{ d.setdefault('c', 3) }}{{ d.pop('a') }}{{ d }}{{ d.copy() }}", NULL,
	  "1None0['a'][1][('a', 1)]{'a': 1, 'b': 2}31{'b': 2, 'c': 3}{'b': 2, 'c': 3}" },
};

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

Test(filters, each_filter)
{
	th_check_all(filter_cases, NCASES(filter_cases), NULL);
}

Test(tests, each_test)
{
	th_check_all(test_cases, NCASES(test_cases), NULL);
}

Test(methods, str_list_dict)
{
	th_check_all(method_cases, NCASES(method_cases), NULL);
}

/* Is "name" used as a filter ("|name") or test ("is name") in a case? */
static bool
covered(const struct th_case *cases, size_t n, const char *name, bool filter)
{
	char pat[64], pat2[64];

	snprintf(pat, sizeof(pat), filter ? "|%s" : "is %s", name);
	snprintf(pat2, sizeof(pat2), filter ? "'%s'" : "'%s'", name);
	for (size_t i = 0; i < n; i++) {
		const char *p = cases[i].src;
		while ((p = strstr(p, pat)) != NULL) {
			char c = p[strlen(pat)];
			if (!(c == '_' || (c >= 'a' && c <= 'z')))
				return true;
			p++;
		}
		if (!filter && strstr(cases[i].src, pat2) != NULL)
			return true;
	}
	return false;
}

Test(filters, every_table_entry_is_tested)
{
	for (const struct builtin *b = tmpl_filters; b->name != NULL; b++)
		cr_expect(covered(filter_cases, NCASES(filter_cases), b->name,
		    true), "filter %s has no case", b->name);
	for (const struct builtin *b = tmpl_tests; b->name != NULL; b++)
		cr_expect(covered(test_cases, NCASES(test_cases), b->name,
		    false), "test %s has no case", b->name);
}

Test(filters, lookup)
{
	cr_expect_not_null(tmpl_filter_find("upper", 5));
	cr_expect_not_null(tmpl_filter_find("d", 1));
	cr_expect_not_null(tmpl_filter_find("xmlattr", 7));
	cr_expect_null(tmpl_filter_find("uppe", 4));
	cr_expect_null(tmpl_filter_find("upperx", 6));
	for (const struct builtin *b = tmpl_filters; b->name != NULL; b++) {
		cr_expect_eq(tmpl_filter_find(b->name, strlen(b->name)), b,
		    "%s", b->name);
		if (b[1].name != NULL)
			cr_expect(strcmp(b->name, b[1].name) < 0,
			    "table sorted at %s", b->name);
	}
	cr_expect_null(tmpl_method_find(TV_INT, "upper", 5));
	cr_expect_not_null(tmpl_method_find(TV_STR, "upper", 5));
	cr_expect_not_null(tmpl_method_find(TV_DICT, "items", 5));
}

Test(filters, frozen_data_is_not_mutated)
{
	th_check("{% set _ = l.append(3) %}", "{\"l\":[1,2]}",
	    "ERROR t.j2:1: error: cannot append to this list");
	th_check("{% set _ = d.update(a=1) %}", "{\"d\":{}}",
	    "ERROR t.j2:1: error: cannot update this dict");
	th_check("{% set m = l|list %}{% set _ = m.append(3) %}{{ m }}{{ l }}",
	    "{\"l\":[1,2]}", "[1, 2, 3][1, 2]");
}
