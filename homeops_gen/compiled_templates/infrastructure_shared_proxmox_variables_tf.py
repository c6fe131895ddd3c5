# Compiled from templates/infrastructure/shared/proxmox/variables.tf.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '9d459b0d5130aa019924f54b8160dceb5a39db4658114b2f94f76ad4520f12a5'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'infrastructure/shared/proxmox/variables.tf.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_variables = resolve('variables')
    try:
        t_1 = environment.filters['hcl']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'hcl' found.")
    try:
        t_2 = environment.filters['hcl_string']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'hcl_string' found.")
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield '\n'
    for l_1_variable in (undefined(name='variables') if l_0_variables is missing else l_0_variables):
        _loop_vars = {}
        pass
        yield '\nvariable "'
        yield str(environment.getattr(l_1_variable, 'name'))
        yield '" {\n  description = '
        yield str(t_2(environment.getattr(l_1_variable, 'description')))
        yield '\n'
        if ('\n' in environment.getattr(l_1_variable, 'type')):
            pass
            yield '  type = '
            yield str(environment.getattr(l_1_variable, 'type'))
            yield '\n'
        else:
            pass
            yield '  type        = '
            yield str(environment.getattr(l_1_variable, 'type'))
            yield '\n'
        if (not environment.getattr(l_1_variable, 'required')):
            pass
            yield '  default     = '
            yield str(t_1(environment.getattr(l_1_variable, 'default')))
            yield '\n'
        if environment.getattr(l_1_variable, 'sensitive'):
            pass
            yield '  sensitive   = true\n'
        yield '}\n'
    l_1_variable = missing

blocks = {}
debug_info = '1=26&2=28&4=32&5=34&6=36&7=39&9=44&11=46&12=49&14=51'
