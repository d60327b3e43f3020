package evtx

import "strings"

// sink receives the XML of one record as it is instantiated: start, the
// element's attributes, its text and child elements, end. start reports
// whether the element's own attributes and text are wanted, and keepAttr
// whether an attribute is: values nobody reads are not rendered.
type sink interface {
	start(name string) bool
	keepAttr(name string) bool
	attr(name, value string)
	text(s string)
	end()
}

// evaluator instantiates compiled binary XML into a sink.
type evaluator struct {
	c     *chunkCtx
	s     sink
	depth int
	keep  bool // the current element's text is wanted
	err   error
	sb    strings.Builder
}

func (v *evaluator) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// items emits a document's items: elements and template instances.
func (v *evaluator) items(items []item, vals []value) {
	for i := range items {
		if v.err != nil {
			return
		}
		it := &items[i]
		switch it.kind {
		case itemElem:
			v.element(it.elem, vals)
		case itemInstance:
			v.element(it.inst.root, it.inst.values)
		}
	}
}

// isNull reports whether a substitution's value is absent: NULL, or missing.
func isNull(id uint16, vals []value) bool {
	return int(id) >= len(vals) || vals[id].typ == typNull
}

// nullOptional reports whether e is left out: its dependency id names a
// NULL value, or its content is only optional substitutions whose values
// are NULL ([MS-EVEN6] 3.1.4.7.3).
func nullOptional(e *elem, vals []value) bool {
	if e.dep != 0xFFFF && int(e.dep) < len(vals) && vals[e.dep].typ == typNull {
		return true
	}
	if len(e.content) == 0 {
		return false
	}
	for _, it := range e.content {
		if it.kind != itemSubst || !it.opt || !isNull(it.id, vals) {
			return false
		}
	}
	return true
}

// element emits e with the values of its template instance.
func (v *evaluator) element(e *elem, vals []value) {
	if v.depth >= maxDepth {
		v.fail(errDepth)
		return
	}
	v.depth++
	defer func() { v.depth-- }()
	if nullOptional(e, vals) {
		return
	}
	// An element whose whole content is one optional substitution of an
	// array repeats once per array element ([MS-EVEN6]).
	if len(e.content) == 1 && e.content[0].kind == itemSubst {
		if id := e.content[0].id; int(id) < len(vals) && vals[id].typ&typArray != 0 {
			val := vals[id]
			parts := v.c.arrayValues(val)
			if len(parts) == 0 {
				parts = []string{""}
			}
			for _, p := range parts {
				v.open(e, vals)
				v.emitText(p)
				v.s.end()
			}
			return
		}
	}
	v.open(e, vals)
	outer := v.keep
	defer func() { v.keep = outer }()
	for i := range e.content {
		if v.err != nil {
			return
		}
		it := &e.content[i]
		switch it.kind {
		case itemText:
			v.emitText(it.text)
		case itemElem:
			keep := v.keep
			v.element(it.elem, vals)
			v.keep = keep
		case itemInstance:
			keep := v.keep
			v.element(it.inst.root, it.inst.values)
			v.keep = keep
		case itemSubst:
			v.subst(it.id, vals)
		}
	}
	v.s.end()
}

// open emits the start of e and its attributes; an attribute whose value is
// made only of NULL optional substitutions is left out.
func (v *evaluator) open(e *elem, vals []value) {
	v.keep = v.s.start(e.name)
	v.c.out += len(e.name)
	if !v.keep {
		return
	}
	for i := range e.attrs {
		a := &e.attrs[i]
		if !v.s.keepAttr(a.name) {
			continue
		}
		skip := len(a.val) > 0
		for _, it := range a.val {
			if it.kind != itemSubst || !it.opt || !isNull(it.id, vals) {
				skip = false
				break
			}
		}
		if skip {
			continue
		}
		if len(a.val) == 1 && a.val[0].kind == itemSubst {
			// The common case: the value is one substitution.
			if id := a.val[0].id; int(id) < len(vals) && vals[id].typ != typBinXML {
				s := v.c.render(vals[id])
				v.c.out += len(a.name) + len(s)
				v.s.attr(a.name, s)
			}
			continue
		}
		v.sb.Reset()
		for _, it := range a.val {
			switch it.kind {
			case itemText:
				v.sb.WriteString(it.text)
			case itemSubst:
				if int(it.id) < len(vals) {
					val := vals[it.id]
					if val.typ == typBinXML {
						continue // not representable in an attribute
					}
					v.sb.WriteString(v.c.render(val))
				}
			}
		}
		s := v.sb.String()
		v.c.out += len(a.name) + len(s)
		v.s.attr(a.name, s)
	}
	if v.c.out > maxOutput {
		v.fail(errOutput)
	}
}

func (v *evaluator) emitText(s string) {
	if !v.keep {
		return
	}
	v.c.out += len(s)
	if v.c.out > maxOutput {
		v.fail(errOutput)
		return
	}
	if s != "" {
		v.s.text(s)
	}
}

// subst emits the value of substitution id inside an element.
func (v *evaluator) subst(id uint16, vals []value) {
	if int(id) >= len(vals) {
		return
	}
	val := vals[id]
	switch {
	case val.typ == typNull:
	case val.typ == typBinXML:
		p := &parser{c: v.c, p: val.off, end: val.off + val.len, depth: v.depth}
		items := p.document()
		if p.err != nil {
			v.fail(p.err)
			return
		}
		v.items(items, nil)
	case !v.keep:
	case val.typ&typArray != 0:
		v.emitText(strings.Join(v.c.arrayValues(val), ", "))
	default:
		v.emitText(v.c.render(val))
	}
}
