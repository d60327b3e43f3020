package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Binary XML tokens ([MS-EVEN6] 3.1.4.7; libyal's "Windows XML Event Log
// (EVTX)" document). The 0x40 bit of some tokens means "more data follows"
// (more attributes, more value parts); it carries no other meaning here.
const (
	tokEOF          = 0x00
	tokOpenStart    = 0x01 // 0x41: with attributes
	tokCloseStart   = 0x02
	tokCloseEmpty   = 0x03
	tokEndElement   = 0x04
	tokValue        = 0x05 // 0x45
	tokAttribute    = 0x06 // 0x46
	tokCDATA        = 0x07 // 0x47
	tokCharRef      = 0x08 // 0x48
	tokEntityRef    = 0x09 // 0x49
	tokPITarget     = 0x0A
	tokPIData       = 0x0B
	tokTemplate     = 0x0C
	tokNormalSubst  = 0x0D
	tokOptSubst     = 0x0E
	tokFragmentHead = 0x0F
	tokMoreFlag     = 0x40
)

// Limits that keep a damaged or hostile chunk from costing more than a few
// times its own size.
const (
	// maxDepth bounds element and nested-document nesting.
	maxDepth = 32
	// maxOutput bounds the bytes of names and values one record may produce
	// (a template instantiated with array values repeats elements).
	maxOutput = 1 << 20
)

var (
	errShort  = errors.New("binary XML ends early")
	errDepth  = errors.New("binary XML nested too deeply")
	errOutput = fmt.Errorf("record expands to more than %d bytes", maxOutput)
)

// item kinds of compiled binary XML.
const (
	itemText     = iota // literal text (already unescaped)
	itemElem            // child element
	itemSubst           // substitution of a template value
	itemInstance        // template instance (only in a record or a nested document)
)

// elem is a compiled element: its name, its attributes and its content.
// dep is its dependency id: the index of the template value whose NULL
// leaves the element out, 0xFFFF for none.
type elem struct {
	dep     uint16
	name    string
	attrs   []attr
	content []item
}

// attr is a compiled attribute; its value is a sequence of text and
// substitution items.
type attr struct {
	name string
	val  []item
}

// item is one piece of element content or of an attribute value.
type item struct {
	kind uint8
	opt  bool   // optional substitution
	id   uint16 // substitution index
	text string
	elem *elem
	inst *instance
}

// value is one template instance value: its type and where its bytes are in
// the chunk.
type value struct {
	typ      uint8
	off, len int
}

// instance is a template instance: the compiled template and its values.
type instance struct {
	root   *elem
	values []value
}

// chunkCtx is what the binary XML of one chunk shares: the chunk bytes, and
// the names and templates found so far (each stored once per chunk and then
// referenced by offset).
type chunkCtx struct {
	b     []byte
	names map[uint32]string
	tmpls map[uint32]*elem
	// bad remembers templates that failed, so that each record using one
	// does not parse it again.
	bad map[uint32]error
	// out counts the bytes produced for the current record.
	out int
	// vals holds the template values of the current record; instances
	// slice it (a slice stays valid when a later append moves the array).
	vals []value
}

func (c *chunkCtx) reset(b []byte) {
	c.b = b
	clear(c.names)
	clear(c.tmpls)
	if c.bad == nil {
		c.bad = map[uint32]error{}
	}
	clear(c.bad)
}

// parser reads binary XML tokens from c.b[p:end].
type parser struct {
	c        *chunkCtx
	p, end   int
	depth    int
	template bool // inside a template definition: element starts carry a dependency id
	err      error
}

func (r *parser) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%w at chunk offset %d", err, r.p)
	}
}

func (r *parser) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || r.end-r.p < n {
		r.fail(errShort)
		return false
	}
	return true
}

func (r *parser) u8() uint8 {
	if !r.need(1) {
		return 0
	}
	v := r.c.b[r.p]
	r.p++
	return v
}

func (r *parser) u16() uint16 {
	if !r.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(r.c.b[r.p:])
	r.p += 2
	return v
}

func (r *parser) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(r.c.b[r.p:])
	r.p += 4
	return v
}

func (r *parser) peek() uint8 {
	if r.err != nil || r.p >= r.end {
		r.fail(errShort)
		return tokEOF
	}
	return r.c.b[r.p]
}

// utf16String reads n UTF-16LE code units at the parser position.
func (r *parser) utf16String(n int) string {
	if !r.need(2 * n) {
		return ""
	}
	s := decodeUTF16(r.c.b[r.p : r.p+2*n])
	r.p += 2 * n
	r.c.out += len(s)
	return s
}

// name reads a name reference: a chunk offset, and the name itself when it is
// stored right there (the first use in the chunk).
func (r *parser) name() string {
	off := r.u32()
	if r.err != nil {
		return ""
	}
	if int(off) == r.p {
		// Stored inline: next offset (4), hash (2), length (2), UTF-16 + NUL.
		if !r.need(8) {
			return ""
		}
		n := int(binary.LittleEndian.Uint16(r.c.b[r.p+6:]))
		if !r.need(8 + 2*n + 2) {
			return ""
		}
		r.p += 8 + 2*n + 2
	}
	if s, ok := r.c.names[off]; ok {
		return s
	}
	s, err := r.c.nameAt(off)
	if err != nil {
		r.fail(err)
		return ""
	}
	return s
}

// nameAt decodes the name structure at chunk offset off.
func (c *chunkCtx) nameAt(off uint32) (string, error) {
	o := int(off)
	if o < chunkHeaderSize || o+8 > len(c.b) {
		return "", fmt.Errorf("name offset %d outside the chunk", off)
	}
	n := int(binary.LittleEndian.Uint16(c.b[o+6:]))
	if o+8+2*n > len(c.b) {
		return "", fmt.Errorf("name at offset %d runs past the chunk", off)
	}
	s := decodeUTF16(c.b[o+8 : o+8+2*n])
	c.names[off] = s
	return s, nil
}

// document parses a binary XML document or fragment: fragment headers,
// processing instructions, an element or a template instance, until the end
// token or the end of the bytes.
func (r *parser) document() []item {
	var items []item
	for r.err == nil && r.p < r.end {
		switch t := r.peek(); t {
		case tokEOF:
			r.p++
			return items
		case tokFragmentHead:
			if !r.need(4) {
				return items
			}
			r.p += 4
		case tokTemplate:
			inst := r.instance()
			if r.err == nil {
				items = append(items, item{kind: itemInstance, inst: inst})
			}
		case tokOpenStart, tokOpenStart | tokMoreFlag:
			e := r.element()
			if r.err == nil {
				items = append(items, item{kind: itemElem, elem: e})
			}
		case tokPITarget:
			r.p++
			r.name()
		case tokPIData:
			r.p++
			r.utf16String(int(r.u16()))
		default:
			r.fail(fmt.Errorf("unexpected token %#02x", t))
		}
	}
	return items
}

// hasDependencyID tells, outside a template definition, whether the
// element start whose token was just read carries a dependency id: [MS-EVEN6]
// makes it optional, and writers differ for nested Binary XML. The layout
// whose name offset is plausible (the name follows inline, or was stored
// earlier in the chunk) wins; with the dependency id when both are.
func (r *parser) hasDependencyID() bool {
	b, p := r.c.b, r.p // just after the token
	plausible := func(at int) bool {
		if at+4 > r.end {
			return false
		}
		off := int(binary.LittleEndian.Uint32(b[at:]))
		if off == at+4 {
			return true
		}
		_, known := r.c.names[uint32(off)]
		return known || off >= chunkHeaderSize && off < at
	}
	with, without := plausible(p+6), plausible(p+4)
	return with || !without
}

// element parses an element from its open-start token to its end.
func (r *parser) element() *elem {
	if r.depth >= maxDepth {
		r.fail(errDepth)
		return nil
	}
	r.depth++
	defer func() { r.depth-- }()
	tok := r.u8()
	e := &elem{dep: 0xFFFF}
	if r.template || r.hasDependencyID() {
		e.dep = r.u16()
	}
	r.u32() // data size: not needed, the tokens are read one by one
	e.name = r.name()
	r.c.out += len(e.name)
	if tok&tokMoreFlag != 0 {
		r.u32() // attribute list size
		for r.err == nil {
			t := r.peek()
			if t&^tokMoreFlag != tokAttribute {
				break
			}
			r.p++
			a := attr{name: r.name()}
			a.val = r.values(false)
			e.attrs = append(e.attrs, a)
			if t&tokMoreFlag == 0 {
				break
			}
		}
	}
	switch t := r.u8(); t {
	case tokCloseEmpty:
		return e
	case tokCloseStart:
	default:
		if r.err == nil {
			r.p--
			r.fail(fmt.Errorf("unexpected token %#02x in element <%s>", t, e.name))
		}
		return e
	}
	for r.err == nil {
		switch t := r.peek(); t {
		case tokEndElement:
			r.p++
			return e
		case tokOpenStart, tokOpenStart | tokMoreFlag:
			child := r.element()
			e.content = append(e.content, item{kind: itemElem, elem: child})
		case tokPITarget:
			r.p++
			r.name()
		case tokPIData:
			r.p++
			r.utf16String(int(r.u16()))
		case tokTemplate:
			if r.template {
				r.fail(errors.New("template instance inside a template definition"))
				return e
			}
			inst := r.instance()
			e.content = append(e.content, item{kind: itemInstance, inst: inst})
		default:
			vs := r.values(true)
			if len(vs) == 0 && r.err == nil {
				r.fail(fmt.Errorf("unexpected token %#02x in element <%s>", t, e.name))
			}
			e.content = append(e.content, vs...)
		}
	}
	return e
}

// values parses a run of value tokens: text, CDATA (in content only),
// character and entity references, substitutions.
func (r *parser) values(content bool) []item {
	var items []item
	for r.err == nil && r.p < r.end {
		t := r.c.b[r.p]
		switch t &^ tokMoreFlag {
		case tokValue:
			r.p++
			if vt := r.u8(); vt != typString && r.err == nil {
				r.fail(fmt.Errorf("value token of type %#02x", vt))
				return items
			}
			items = append(items, item{kind: itemText, text: r.utf16String(int(r.u16()))})
		case tokCDATA:
			if !content {
				return items
			}
			r.p++
			items = append(items, item{kind: itemText, text: r.utf16String(int(r.u16()))})
		case tokCharRef:
			r.p++
			c := rune(r.u16())
			if !utf8.ValidRune(c) {
				c = utf8.RuneError
			}
			items = append(items, item{kind: itemText, text: string(c)})
		case tokEntityRef:
			r.p++
			name := r.name()
			items = append(items, item{kind: itemText, text: entity(name)})
		case tokNormalSubst, tokOptSubst:
			if t&tokMoreFlag != 0 {
				return items
			}
			r.p++
			id := r.u16()
			r.u8() // declared type; the instance's value descriptor is what counts
			items = append(items, item{kind: itemSubst, id: id, opt: t == tokOptSubst})
		default:
			return items
		}
	}
	return items
}

// entity returns the text of a predefined XML entity, or "&name;".
func entity(name string) string {
	switch name {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	return "&" + name + ";"
}

// instance parses a template instance: the reference to the template
// definition (which follows inline on its first use in the chunk) and the
// instance's values.
func (r *parser) instance() *instance {
	r.p++   // token
	r.u8()  // unknown, 1
	r.u32() // template id
	defOff := r.u32()
	if r.err != nil {
		return nil
	}
	if int(defOff) == r.p {
		// Inline definition: next offset (4), GUID (16), body size (4), body.
		if !r.need(24) {
			return nil
		}
		size := int(binary.LittleEndian.Uint32(r.c.b[r.p+20:]))
		if !r.need(24 + size) {
			return nil
		}
		r.p += 24 + size
	}
	root, err := r.c.template(defOff, r.depth)
	if err != nil {
		r.fail(err)
		return nil
	}
	n := int(r.u32())
	if !r.need(4 * n) {
		return nil
	}
	start := len(r.c.vals)
	r.c.vals = slices.Grow(r.c.vals, n)[:start+n]
	inst := &instance{root: root, values: r.c.vals[start : start+n : start+n]}
	desc := r.p
	r.p += 4 * n
	for i := range inst.values {
		size := int(binary.LittleEndian.Uint16(r.c.b[desc+4*i:]))
		typ := r.c.b[desc+4*i+2]
		if !r.need(size) {
			return nil
		}
		inst.values[i] = value{typ: typ, off: r.p, len: size}
		r.p += size
	}
	return inst
}

// template returns the compiled template whose definition is at chunk
// offset off, compiling it on first use.
func (c *chunkCtx) template(off uint32, depth int) (*elem, error) {
	if err := c.bad[off]; err != nil {
		return nil, err
	}
	if t, ok := c.tmpls[off]; ok {
		if t == nil {
			return nil, fmt.Errorf("template at offset %d refers to itself", off)
		}
		return t, nil
	}
	o := int(off)
	if o < chunkHeaderSize || o+24 > len(c.b) {
		return nil, fmt.Errorf("template offset %d outside the chunk", off)
	}
	size := int(binary.LittleEndian.Uint32(c.b[o+20:]))
	if size > len(c.b)-o-24 {
		return nil, fmt.Errorf("template at offset %d: %d bytes run past the chunk", off, size)
	}
	c.tmpls[off] = nil // guards against a definition that instantiates itself
	out := c.out
	p := &parser{c: c, p: o + 24, end: o + 24 + size, depth: depth, template: true}
	items := p.document()
	c.out = out // a template's names count when it is used, not when compiled
	if p.err != nil {
		delete(c.tmpls, off)
		c.bad[off] = fmt.Errorf("template at offset %d: %w", off, p.err)
		return nil, c.bad[off]
	}
	var root *elem
	for _, it := range items {
		if it.kind == itemElem {
			root = it.elem
			break
		}
	}
	if root == nil {
		delete(c.tmpls, off)
		c.bad[off] = fmt.Errorf("template at offset %d has no element", off)
		return nil, c.bad[off]
	}
	c.tmpls[off] = root
	return root, nil
}

// decodeUTF16 converts UTF-16LE bytes to UTF-8. Unpaired surrogates become
// U+FFFD; ASCII takes a fast path.
func decodeUTF16(b []byte) string {
	n := len(b) / 2
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		var sb strings.Builder
		sb.Grow(n)
		for i := 0; i < n; i++ {
			sb.WriteByte(b[2*i])
		}
		return sb.String()
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
