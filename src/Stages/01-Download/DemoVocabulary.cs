namespace Lmev.Stages.Download;

/// <summary>
/// The word lists the demo titles are made of: product families (brands and words shared by
/// related categories), categories named as MercadoLibre names them (each with its own nouns and
/// qualifiers in Spanish and in Portuguese), units, colours and the words every seller uses.
/// Lists are written as <c>|</c>-separated phrases, lower case except brands, with accents, as a
/// seller would write them; <see cref="DemoTitleComposer"/> applies casing and accent loss.
/// Editing a list changes every generated dataset: bump the Download stage's version.
/// </summary>
internal static class DemoVocabulary
{
    // ── Words any seller uses, in any category ──────────────────────────────────────────────
    public static readonly Bilingual Generic = new(
        "nuevo|original|envío gratis|oferta|kit|combo|importado|garantía|promoción|calidad premium|excelente calidad|super oferta|liquidación|por mayor|sin uso|en caja|mejor precio|envío inmediato|últimas unidades|nuevo modelo",
        "novo|original|frete grátis|promoção|kit|combo|importado|garantia|oferta|qualidade premium|ótima qualidade|super oferta|liquidação|atacado|sem uso|na caixa|melhor preço|pronta entrega|lacrado|envio imediato");

    /// <summary>Words that open a title before the product noun ("Kit Cuchillos ...").</summary>
    public static readonly Bilingual Lead = new(
        "kit|combo|set|oferta|nuevo|pack|juego|liquido",
        "kit|combo|conjunto|promoção|novo|jogo|kit com|queima de estoque");

    /// <summary>Single words that always fit, used to reach the minimum of three tokens.</summary>
    public static readonly Bilingual Filler = new(
        "nuevo|original|oferta|importado|garantía|calidad",
        "novo|original|promoção|importado|garantia|qualidade");

    public static readonly Bilingual Colours = new(
        "negro|blanco|rojo|azul|verde|gris|rosa|amarillo|marrón|plateado|dorado|violeta|celeste|beige|bordó|fucsia|negra|blanca",
        "preto|branco|vermelho|azul|verde|cinza|rosa|amarelo|marrom|prata|dourado|roxo|azul claro|bege|vinho|pink|preta|branca");

    /// <summary>Words that join an accessory or a second product: "+ Funda", "Con Tapa", "Com Capa".</summary>
    public static readonly Bilingual Joiners = new("+|con|y|+|para|más", "+|com|e|+|para|mais");

    // ── Units: '#' is replaced by one of the numbers ────────────────────────────────────────
    private static readonly Dictionary<UnitKind, (DemoUnit[] Spanish, DemoUnit[] Portuguese)> UnitTable = new()
    {
        [UnitKind.Storage] = (
            [U("#gb", "8|16|32|64|128|256"), U("# gb", "16|32|64|128"), U("#gb ram", "2|3|4|6|8"), U("#tb", "1|2")],
            [U("#gb", "8|16|32|64|128|256"), U("# gb", "16|32|64|128"), U("#gb ram", "2|3|4|6|8"), U("#tb", "1|2")]),
        [UnitKind.Electric] = (
            [U("#v", "12|110|220"), U("#w", "9|12|60|600|1200|2000"), U("# watts", "500|800|1500"), U("# mah", "2000|5000|10000"), U("# volts", "12|220")],
            [U("#v", "12|110|127|220"), U("#w", "9|12|60|600|1200|2000"), U("# watts", "500|800|1500"), U("# mah", "2000|5000|10000"), U("bivolt", "")]),
        [UnitKind.Volume] = (
            [U("# ml", "100|250|500|750|1000"), U("#ml", "100|250|500"), U("# lts", "1|2|5|20"), U("# litros", "1|2|3|5|20"), U("#.5 l", "1|2")],
            [U("# ml", "100|250|500|750|1000"), U("#ml", "100|250|500"), U("# litros", "1|2|3|5|20"), U("# l", "1|2|5"), U("#,5 l", "1|2")]),
        [UnitKind.Weight] = (
            [U("# kg", "1|2|3|5|10|15|20"), U("#.5 kg", "0|1|2"), U("#kg", "1|3|5|10"), U("# gr", "100|250|500"), U("# g", "50|200|500")],
            [U("# kg", "1|2|3|5|10|15|20"), U("#,5 kg", "0|1|2"), U("#kg", "1|3|5|10"), U("# g", "100|250|500"), U("# gramas", "200|500")]),
        [UnitKind.Length] = (
            [U("#cm", "10|20|30|40|60|80|120"), U("# cm", "15|25|50|100"), U("# mts", "1|2|3|5|10"), U("# mm", "6|8|10|12|20"), U("#x# cm", "20|30|40|60")],
            [U("#cm", "10|20|30|40|60|80|120"), U("# cm", "15|25|50|100"), U("# metros", "1|2|3|5|10"), U("# mm", "6|8|10|12|20"), U("#x# cm", "20|30|40|60")]),
        [UnitKind.ScreenSize] = (
            [U("# pulgadas", "24|32|40|43|50|55|65"), U("#\"", "14|15.6|24|32|43|55"), U("# pulg", "10|32|43")],
            [U("# polegadas", "24|32|40|43|50|55|65"), U("#\"", "14|15.6|24|32|43|55"), U("# pol", "10|32|43")]),
        [UnitKind.Pack] = (
            [U("x # unidades", "2|3|4|6|10|12|50|100"), U("x # unid.", "2|3|6|12"), U("pack x #", "2|3|6|10"), U("# piezas", "3|5|12|24|100"), U("x#", "2|3|6")],
            [U("# unidades", "2|3|4|6|10|12|50|100"), U("kit com #", "2|3|5|10"), U("# peças", "3|5|12|24|100"), U("# pçs", "3|6|12"), U("c/ #", "2|3|6")]),
        [UnitKind.ClothingSize] = (
            [U("talle #", "s|m|l|xl|xxl|38|40|42|44"), U("t.#", "1|2|3|4"), U("#", "s|m|l|xl|xxl")],
            [U("tamanho #", "p|m|g|gg|xg|38|40|42"), U("tam #", "p|m|g|gg"), U("#", "p|m|g|gg")]),
        [UnitKind.ShoeSize] = (
            [U("talle #", "35|36|37|38|39|40|41|42|43|44|45"), U("nº #", "36|38|40|42"), U("del # al #", "35|39|40|45")],
            [U("número #", "34|35|36|37|38|39|40|41|42|43|44"), U("tam #", "36|38|40|42"), U("do # ao #", "34|39|40|44")]),
        [UnitKind.Age] = (
            [U("# años", "1|2|3|4|5|6|8"), U("+# años", "3|6|8|12"), U("# meses", "6|12|18")],
            [U("# anos", "1|2|3|4|5|6|8"), U("+# anos", "3|6|8|12"), U("# meses", "6|12|18")]),
        [UnitKind.Year] = (
            [U("#", "2008|2010|2012|2014|2015|2016|2017|2018|2019"), U("# a #", "2010|2012|2014|2017|2019"), U("#/#", "03|04|08|10|12|15")],
            [U("#", "2008|2010|2012|2014|2015|2016|2017|2018|2019"), U("# a #", "2010|2012|2014|2017|2019"), U("#/#", "03|04|08|10|12|15")]),
    };

    public static DemoUnit[] Units(UnitKind kind, DemoLanguage language) =>
        language == DemoLanguage.Spanish ? UnitTable[kind].Spanish : UnitTable[kind].Portuguese;

    // ── Families: what related categories share ─────────────────────────────────────────────
    private static readonly DemoFamily Phones = F("Samsung|Motorola|Xiaomi|iPhone|Huawei|LG|Nokia|Alcatel|Apple",
        "original|telefonía|usado|reacondicionado|garantía oficial|compatible|pro|plus|lite",
        "original|telefonia|usado|vitrine|garantia|compatível|pro|plus|lite",
        UnitKind.Storage | UnitKind.Electric, colours: true, compatible: true);

    private static readonly DemoFamily Computers = F("Lenovo|HP|Dell|Asus|Acer|Logitech|Kingston|Sandisk|Genius|Epson|Samsung",
        "para pc|computadora|usb|inalámbrico|gamer|oficina|windows|garantía",
        "para pc|computador|usb|sem fio|gamer|escritório|windows|garantia",
        UnitKind.Storage | UnitKind.ScreenSize, colours: true, compatible: true);

    private static readonly DemoFamily AudioVideo = F("Sony|Samsung|LG|Philips|JBL|Noblex|Philco|Panasonic|TCL|Pioneer",
        "sonido|alta fidelidad|hd|bluetooth|usb|hdmi|con control|estéreo",
        "som|alta fidelidade|hd|bluetooth|usb|hdmi|com controle|estéreo",
        UnitKind.ScreenSize | UnitKind.Electric, colours: true, compatible: true);

    private static readonly DemoFamily Appliances = F("Philips|Oster|Atma|Liliana|Electrolux|Mondial|Britania|Whirlpool|Peabody|Black+Decker|Arno",
        "electrodoméstico|cocina|hogar|acero inoxidable|potente|eléctrico|con garantía",
        "eletrodoméstico|cozinha|casa|aço inox|potente|elétrico|com garantia",
        UnitKind.Electric | UnitKind.Volume, colours: true);

    private static readonly DemoFamily Kitchen = F("Tramontina|Hudson|Tefal|Essen|Brinox|Rochedo|Pyrex|Carol",
        "cocina|acero inoxidable|bazar|antiadherente|para cocina|hogar",
        "cozinha|aço inox|utilidades|antiaderente|para cozinha|casa",
        UnitKind.Volume | UnitKind.Length | UnitKind.Pack, colours: true);

    private static readonly DemoFamily Home = F("Madesa|Politorno|Centro Estant|Mosconi|Platinum|Tok Stok|Piero|Cannon",
        "hogar|deco|decoración|living|dormitorio|moderno|nórdico|de madera",
        "casa|decoração|sala|quarto|moderno|escandinavo|de madeira|lar",
        UnitKind.Length | UnitKind.Pack, colours: true);

    private static readonly DemoFamily Tools = F("Bosch|Black+Decker|Stanley|Dewalt|Makita|Tramontina|Gamma|Skil|Einhell|Lusqtoff",
        "herramienta|profesional|industrial|con maletín|taller|eléctrica|potencia",
        "ferramenta|profissional|industrial|com maleta|oficina|elétrica|potência",
        UnitKind.Electric | UnitKind.Length | UnitKind.Pack, colours: false);

    private static readonly DemoFamily AutoParts = F("Volkswagen Gol|Volkswagen Amarok|Ford Fiesta|Ford Ecosport|Ford Focus|Chevrolet Corsa|Chevrolet Onix|Fiat Palio|Fiat Uno|Renault Clio|Peugeot 206|Toyota Hilux|Citroen Berlingo|Bosch",
        "para auto|repuesto|original|alternativo|motor|delantero|trasero|nafta|diesel|1.6|1.8|2.0|1.4 8v|1.9 tdi",
        "para carro|peça|original|paralelo|motor|dianteiro|traseiro|gasolina|diesel|automotivo|1.6|1.8|2.0|1.0 8v|1.9 tdi",
        UnitKind.Year | UnitKind.Electric, colours: false, compatible: true);

    private static readonly DemoFamily Moto = F("Honda Wave|Honda Biz|Honda Titan|Honda Xr 250|Honda Cg 150|Yamaha Fz|Yamaha Crypton|Motomel Skua|Zanella Rx|Bajaj Rouser|Suzuki|Kawasaki",
        "moto|motos|para moto|motociclista|repuesto|enduro|calle|125 cc|150 cc",
        "moto|motos|para moto|motociclista|peça|trilha|estrada|125 cc|160 cc",
        UnitKind.Year | UnitKind.Pack, colours: true, compatible: true);

    private static readonly DemoFamily WomenClothing = F("Zara|Forever 21|Kosiuko|Rapsodia|Farm|Renner|Hering|Wanama",
        "mujer|dama|de mujer|para dama|talle grande|moda|temporada|verano|invierno",
        "feminino|feminina|moda|plus size|verão|inverno|estação|moda feminina",
        UnitKind.ClothingSize, colours: true);

    private static readonly DemoFamily MenClothing = F("Adidas|Nike|Puma|Levis|Lacoste|Tommy Hilfiger|Polo|Hering|Wrangler",
        "hombre|caballero|para hombre|talle especial|moda|verano|invierno",
        "masculino|masculina|para homem|plus size|moda|verão|inverno",
        UnitKind.ClothingSize, colours: true);

    private static readonly DemoFamily Shoes = F("Nike|Adidas|Topper|Fila|Puma|Vans|Converse|Havaianas|Olympikus|Reebok",
        "para mujer|para hombre|urbanas|originales|cómodas|unisex",
        "feminino|masculino|casual|originais|confortável|unissex",
        UnitKind.ShoeSize, colours: true);

    private static readonly DemoFamily Baby = F("Fisher Price|Chicco|Pampers|Huggies|Disney|Infanti|Graco|Burigotto|Avent",
        "bebé|bebés|niño|niña|infantil|para bebé|recién nacido",
        "bebê|bebês|menino|menina|infantil|para bebê|recém nascido",
        UnitKind.Pack | UnitKind.Age, colours: true);

    private static readonly DemoFamily Toys = F("Lego|Mattel|Hasbro|Barbie|Hot Wheels|Playmobil|Disney|Marvel|Nerf|Star Wars",
        "juguete|juguetes|para niños|didáctico|regalo|colección|niños",
        "brinquedo|brinquedos|infantil|educativo|presente|coleção|crianças",
        UnitKind.Pack | UnitKind.Age, colours: true);

    private static readonly DemoFamily Sports = F("Adidas|Nike|Everlast|Penalty|Wilson|Spalding|Head|Mormaii|Speedo|Randers",
        "deportivo|entrenamiento|gimnasio|profesional|fitness|running",
        "esportivo|treino|academia|profissional|fitness|corrida",
        UnitKind.Weight | UnitKind.Length, colours: true);

    private static readonly DemoFamily Beauty = F("L'Oréal|Maybelline|Nivea|Dove|Pantene|Natura|Avon|Revlon|Gama|Remington",
        "belleza|cuidado personal|profesional|para mujer|piel|cabello",
        "beleza|cuidado pessoal|profissional|feminino|pele|cabelo",
        UnitKind.Volume | UnitKind.Pack, colours: false);

    private static readonly DemoFamily Pets = F("Pedigree|Royal Canin|Eukanuba|Whiskas|Dog Chow|Pro Plan|Golden|Premier",
        "perro|perros|gato|gatos|mascota|para perro|mascotas",
        "cachorro|cães|gato|gatos|pet|para cachorro|animais",
        UnitKind.Weight, colours: true);

    private static readonly DemoFamily BooksMusic = F("Planeta|Penguin|Salamandra|Sony Music|Universal|Alfaguara|Yamaha|Gibson|Fender",
        "nuevo|usado|edición|tapa dura|música|colección",
        "novo|usado|edição|capa dura|música|coleção",
        UnitKind.Pack, colours: false);

    private static readonly DemoFamily Garden = F("Gamma|Tramontina|Husqvarna|Stihl|Black+Decker|Nautika|Mor|Bestway",
        "jardín|para jardín|exterior|patio|terraza|verano",
        "jardim|para jardim|área externa|quintal|varanda|verão",
        UnitKind.Electric | UnitKind.Length | UnitKind.Volume, colours: false);

    private static readonly DemoFamily Office = F("Faber-Castell|Bic|Rivadavia|Tilibra|Staedtler|Pilot|Maped|Casio",
        "escolar|oficina|librería|útiles escolares|vuelta al cole",
        "escolar|escritório|papelaria|material escolar|volta às aulas",
        UnitKind.Pack, colours: true);

    private static readonly DemoFamily Accessories = F("Casio|Citizen|Rolex|Ray-Ban|Oakley|Swatch|Tommy Hilfiger|Prune|Samsonite",
        "hombre|mujer|unisex|original|acero|regalo|moda",
        "masculino|feminino|unissex|original|aço|presente|moda",
        UnitKind.Length, colours: true);

    // ── Categories: code, family, Spanish nouns, Portuguese nouns, Spanish qualifiers, Portuguese qualifiers
    /// <summary>Every category the generator knows, in a fixed order; a seed picks which are used.</summary>
    public static readonly IReadOnlyList<DemoCategory> Catalogue =
    [
        C("CELLPHONES", Phones, "celular|smartphone|teléfono celular", "celular|smartphone|aparelho celular", "libre|liberado|dual sim|octa core|cámara 48mp|4g", "desbloqueado|dual chip|octa core|câmera 48mp|4g"),
        C("CELLPHONE_CASES", Phones, "funda|carcasa|funda protectora", "capa|capinha|case", "de silicona|antigolpe|transparente|tipo libro|con tapa", "de silicone|anti impacto|transparente|tipo carteira|com tampa"),
        C("SCREEN_PROTECTORS", Phones, "vidrio templado|protector de pantalla|film", "película de vidro|película|protetor de tela", "9h|curvo|glass|completo|antiespía", "9h|3d|curva|privacidade|gel"),
        C("CELLPHONE_CHARGERS", Phones, "cargador|cargador rápido|fuente", "carregador|carregador turbo|fonte", "de pared|usb tipo c|micro usb|carga rápida", "de tomada|usb tipo c|micro usb|carga rápida"),
        C("USB_CABLES", Phones, "cable usb|cable|cable de datos", "cabo usb|cabo|cabo de dados", "reforzado|mallado|tipo c|lightning|1 metro", "reforçado|trançado|tipo c|lightning|1 metro"),
        C("PORTABLE_CHARGERS", Phones, "cargador portátil|batería externa|power bank", "carregador portátil|bateria externa|power bank", "10000 mah|solar|doble usb|con linterna", "10000 mah|solar|duas saídas|com lanterna"),
        C("SMARTWATCHES", Phones, "reloj inteligente|smartwatch|smart band", "relógio inteligente|smartwatch|pulseira inteligente", "deportivo|monitor cardíaco|sumergible|notificaciones", "esportivo|monitor cardíaco|à prova d'água|notificações"),
        C("HEADPHONES", Phones, "auriculares|auricular|vincha", "fone de ouvido|fone|headphone", "inalámbricos|bluetooth|manos libres|in ear|con micrófono", "sem fio|bluetooth|intra auricular|com microfone|estéreo"),
        C("SELFIE_STICKS", Phones, "palo selfie|bastón selfie|monopod", "pau de selfie|bastão selfie|monopé", "extensible|con control|trípode", "extensível|com controle|tripé"),
        C("CELLPHONE_HOLDERS", Phones, "soporte celular|soporte|holder", "suporte celular|suporte veicular|holder", "para auto|magnético|rejilla|para moto", "para carro|magnético|grade|para moto"),

        C("NOTEBOOKS", Computers, "notebook|laptop|computadora portátil", "notebook|laptop|computador portátil", "core i5|core i7|pantalla 15.6|ssd|windows 10", "core i5|core i7|tela 15.6|ssd|windows 10"),
        C("TABLETS", Computers, "tablet|tableta", "tablet|tablete", "android|wifi|con chip|10 pulgadas|para niños", "android|wifi|com chip|10 polegadas|infantil"),
        C("COMPUTER_MICE", Computers, "mouse|ratón|mouse óptico", "mouse|mouse óptico|mouse gamer", "inalámbrico|gamer|óptico|ergonómico|dpi", "sem fio|gamer|óptico|ergonômico|dpi"),
        C("KEYBOARDS", Computers, "teclado|teclado mecánico", "teclado|teclado mecânico", "en español|gamer|retroiluminado|con ñ|inalámbrico", "abnt2|gamer|retroiluminado|com ç|sem fio"),
        C("USB_FLASH_DRIVES", Computers, "pendrive|memoria usb", "pen drive|pendrive|memória usb", "3.0|metálico|llavero|giratorio", "3.0|metálico|chaveiro|giratório"),
        C("MEMORY_CARDS", Computers, "memoria micro sd|tarjeta de memoria|micro sd", "cartão de memória|micro sd|cartão micro sd", "clase 10|con adaptador|ultra", "classe 10|com adaptador|ultra"),
        C("HARD_DRIVES", Computers, "disco rígido|disco externo|disco duro", "hd externo|disco rígido|hd", "sata|portátil|para pc|ssd", "sata|portátil|para pc|ssd"),
        C("COMPUTER_MONITORS", Computers, "monitor|pantalla|monitor led", "monitor|tela|monitor led", "full hd|hdmi|curvo|gamer|ips", "full hd|hdmi|curvo|gamer|ips"),
        C("PRINTERS", Computers, "impresora|multifunción", "impressora|multifuncional", "láser|tinta continua|wifi|a color", "laser|tanque de tinta|wifi|colorida"),
        C("INK_CARTRIDGES", Computers, "cartucho|cartucho de tinta|tóner", "cartucho|cartucho de tinta|toner", "negro|color|alternativo|recargable", "preto|colorido|compatível|recarregável"),
        C("WEBCAMS", Computers, "cámara web|webcam", "câmera web|webcam", "con micrófono|hd|para pc|streaming", "com microfone|hd|para pc|streaming"),
        C("RAM_MEMORY_MODULES", Computers, "memoria ram|memoria|módulo de memoria", "memória ram|memória|pente de memória", "ddr4|ddr3|para notebook|para pc", "ddr4|ddr3|para notebook|para pc"),

        C("TELEVISIONS", AudioVideo, "televisor|tv|smart tv", "televisão|tv|smart tv", "led|4k|full hd|netflix", "led|4k|full hd|netflix"),
        C("SPEAKERS", AudioVideo, "parlante|parlante portátil|bafle", "caixa de som|caixinha de som|alto falante", "portátil|con luces|recargable|potenciado", "portátil|com luzes|recarregável|amplificada"),
        C("SOUNDBARS", AudioVideo, "barra de sonido|soundbar", "soundbar|barra de som", "con subwoofer|inalámbrica|canales", "com subwoofer|sem fio|canais"),
        C("TV_REMOTE_CONTROLS", AudioVideo, "control remoto|control|control remoto universal", "controle remoto|controle|controle universal", "universal|para smart tv|compatible|con pilas", "universal|para smart tv|compatível|com pilhas"),
        C("TV_WALL_MOUNTS", AudioVideo, "soporte tv|soporte de pared|rack", "suporte tv|suporte de parede|rack", "articulado|fijo|giratorio|reforzado", "articulado|fixo|giratório|reforçado"),
        C("MICROPHONES", AudioVideo, "micrófono|micrófono inalámbrico", "microfone|microfone sem fio", "karaoke|dinámico|con cable|condensador", "karaokê|dinâmico|com fio|condensador"),
        C("CAR_AUDIO_PLAYERS", AudioVideo, "estéreo|autoestéreo|radio para auto", "som automotivo|rádio automotivo|auto rádio", "pantalla táctil|2 din|manos libres|mp3", "tela touch|2 din|viva voz|mp3"),
        C("VIDEO_GAME_CONSOLES", AudioVideo, "consola|videojuego|play station", "console|videogame|playstation", "con joystick|portátil|retro|juegos incluidos", "com controle|portátil|retrô|jogos inclusos"),
        C("GAMEPADS", AudioVideo, "joystick|control|mando", "controle|joystick|manete", "inalámbrico|para pc|gamer|analógico", "sem fio|para pc|gamer|analógico"),
        C("VIDEO_GAMES", AudioVideo, "juego|videojuego|juego físico", "jogo|game|mídia física", "físico|digital|original|sellado", "mídia digital|original|lacrado|legendado"),
        C("DIGITAL_CAMERAS", AudioVideo, "cámara digital|cámara de fotos|cámara réflex", "câmera digital|câmera fotográfica|câmera profissional", "con lente|zoom óptico|semiprofesional|megapíxeles", "com lente|zoom óptico|semiprofissional|megapixels"),
        C("SURVEILLANCE_CAMERAS", AudioVideo, "cámara de seguridad|cámara ip|cámara espía", "câmera de segurança|câmera ip|câmera espiã", "wifi|visión nocturna|exterior|oculta", "wifi|visão noturna|externa|escondida"),

        C("BLENDERS", Appliances, "licuadora|licuadora de mano|minipimer", "liquidificador|mixer|liquidificador portátil", "de vaso|de vidrio|velocidades|turbo", "de copo|de vidro|velocidades|turbo"),
        C("MICROWAVES", Appliances, "microondas|horno microondas", "micro-ondas|forno micro-ondas", "digital|con grill|20 litros|empotrable", "digital|com grill|20 litros|de embutir"),
        C("COFFEE_MAKERS", Appliances, "cafetera|cafetera express|cafetera eléctrica", "cafeteira|cafeteira expresso|cafeteira elétrica", "de filtro|automática|con molinillo|de cápsulas", "de filtro|automática|com moedor|de cápsulas"),
        C("ELECTRIC_KETTLES", Appliances, "pava eléctrica|hervidor|jarra eléctrica", "chaleira elétrica|jarra elétrica|chaleira", "corte automático|para mate|de acero", "desligamento automático|para chá|de inox"),
        C("TOASTERS", Appliances, "tostadora|tostador|sandwichera", "torradeira|sanduicheira|grill sanduíche", "de pan|2 ranuras|antiadherente", "de pão|2 fendas|antiaderente"),
        C("AIR_FRYERS", Appliances, "freidora de aire|freidora sin aceite|air fryer", "fritadeira elétrica|fritadeira sem óleo|air fryer", "digital|sin aceite|cesto", "digital|sem óleo|cesto"),
        C("FANS", Appliances, "ventilador|ventilador de techo|turbo ventilador", "ventilador|ventilador de teto|circulador de ar", "de pie|de pared|silencioso|paletas metálicas", "de coluna|de parede|silencioso|hélices"),
        C("AIR_CONDITIONERS", Appliances, "aire acondicionado|split|equipo de aire", "ar condicionado|split|aparelho de ar", "frío calor|inverter|frigorías", "quente frio|inverter|btus"),
        C("VACUUM_CLEANERS", Appliances, "aspiradora|aspiradora robot", "aspirador de pó|aspirador robô", "sin bolsa|de mano|ciclónica|inalámbrica", "sem saco|portátil|ciclone|sem fio"),
        C("IRONS", Appliances, "plancha|plancha a vapor", "ferro de passar|ferro a vapor", "a vapor|seca|suela antiadherente", "a vapor|a seco|base antiaderente"),
        C("WASHING_MACHINES", Appliances, "lavarropas|lavarropas automático|lavasecarropas", "máquina de lavar|lavadora|lava e seca", "carga frontal|carga superior|kilos", "abertura frontal|tampa superior|quilos"),
        C("REFRIGERATORS", Appliances, "heladera|heladera con freezer|refrigerador", "geladeira|refrigerador|geladeira duplex", "no frost|cíclica|con freezer", "frost free|inox|com freezer|degelo seco"),

        C("KITCHEN_KNIVES", Kitchen, "cuchillo|cuchillos|cuchilla", "faca|facas|cutelo", "de cocina|de chef|para asado|mango de madera|afilado", "de cozinha|de chef|para churrasco|cabo de madeira|afiada"),
        C("COOKING_POTS", Kitchen, "olla|cacerola|olla a presión", "panela|caçarola|panela de pressão", "con tapa|de aluminio|de hierro fundido", "com tampa|de alumínio|de ferro fundido"),
        C("FRYING_PANS", Kitchen, "sartén|sartenes|bifera", "frigideira|frigideiras|chapa", "de hierro|teflón|wok|con mango", "de ferro|teflon|wok|com cabo"),
        C("CUTLERY_SETS", Kitchen, "juego de cubiertos|cubiertos|tenedores", "faqueiro|jogo de talheres|talheres", "piezas|de mesa|con estuche", "peças|de mesa|com estojo"),
        C("DISHES_PLATES", Kitchen, "plato|platos|vajilla", "prato|pratos|aparelho de jantar", "de porcelana|playo|hondo|de cerámica", "de porcelana|raso|fundo|de cerâmica"),
        C("DRINKING_GLASSES", Kitchen, "vaso|vasos|copa", "copo|copos|taça", "de vidrio|de vino|cerveceros|de cristal", "de vidro|de vinho|de cerveja|de cristal"),
        C("THERMOSES", Kitchen, "termo|termo de acero|botella térmica", "garrafa térmica|térmica|squeeze", "para mate|litro|pico cebador", "para chimarrão|litro|bico"),
        C("MATE_GOURDS", Kitchen, "mate|mate de calabaza|bombilla", "cuia|cuia de chimarrão|bomba de chimarrão", "de calabaza|de algarrobo|virola|imperial", "de porongo|gaúcha|alpaca|tradicional"),
        C("FOOD_STORAGE_CONTAINERS", Kitchen, "táper|recipiente|contenedor hermético", "pote|pote hermético|marmita", "hermético|de plástico|de vidrio|apto freezer", "hermético|de plástico|de vidro|vai ao freezer"),
        C("CUTTING_BOARDS", Kitchen, "tabla de picar|tabla|tabla para asado", "tábua de corte|tábua|tábua de churrasco", "de madera|de bambú|con canaleta", "de madeira|de bambu|com canaleta"),
        C("KITCHEN_SCALES", Kitchen, "balanza de cocina|balanza digital|balanza", "balança de cozinha|balança digital|balança", "digital|de precisión|hasta 5kg", "digital|de precisão|até 10kg"),

        C("OFFICE_CHAIRS", Home, "silla de oficina|silla|sillón de escritorio", "cadeira de escritório|cadeira|poltrona de escritório", "ejecutiva|ergonómica|giratoria|con apoyabrazos|ecocuero", "presidente|ergonômica|giratória|com braços|couro sintético"),
        C("DINING_SETS", Home, "juego de comedor|mesa con sillas|mesa de comedor", "conjunto de jantar|mesa com cadeiras|mesa de jantar", "extensible|6 sillas|tapa de vidrio", "extensível|6 cadeiras|tampo de vidro"),
        C("SOFAS", Home, "sillón|sofá|sofá cama", "sofá|sofá-cama|estofado", "de 3 cuerpos|esquinero|de pana|de chenille", "de 3 lugares|de canto|de veludo|retrátil"),
        C("MATTRESSES", Home, "colchón|colchón de espuma|sommier", "colchão|colchão de espuma|cama box", "de resortes|2 plazas|ortopédico|con pillow", "de molas|casal|ortopédico|com pillow top"),
        C("BEDS", Home, "cama|cama de una plaza|cucheta", "cama|cama de solteiro|beliche", "con cajones|infantil|de hierro|respaldo", "com gavetas|infantil|de ferro|cabeceira"),
        C("WARDROBES", Home, "placard|ropero|armario", "guarda-roupa|roupeiro|armário", "puertas|cajones|corredizo|con espejo", "portas|gavetas|de correr|com espelho"),
        C("BOOKCASES", Home, "biblioteca|estantería|repisa", "estante|prateleira|nicho", "flotante|melamina|estantes|modular", "flutuante|mdf|prateleiras|modular"),
        C("BED_SHEETS", Home, "juego de sábanas|sábanas|sábana ajustable", "jogo de lençol|lençol|lençol com elástico", "2 plazas|queen|algodón|percal|hilos", "casal|queen|algodão|percal|fios"),
        C("CURTAINS", Home, "cortina|cortinas|cortina roller", "cortina|cortinas|persiana", "blackout|de tela|para living|con ojales", "blackout|de tecido|para sala|com ilhós"),
        C("WALLPAPERS", Home, "papel tapiz|empapelado|papel de pared", "papel de parede|adesivo de parede", "vinílico|lavable|autoadhesivo|rollo", "vinílico|lavável|autoadesivo|rolo"),
        C("RUGS", Home, "alfombra|alfombras|felpudo", "tapete|tapetes|capacho", "de pelo largo|antideslizante|para living|shaggy", "peludo|antiderrapante|para sala|shaggy"),
        C("LAMPS", Home, "lámpara|velador|lámpara de pie", "luminária|abajur|luminária de chão", "de mesa|led|vintage|colgante", "de mesa|led|vintage|pendente"),
        C("LIGHT_BULBS", Home, "lámpara led|foco|bombilla led", "lâmpada led|lâmpada|bulbo led", "luz cálida|luz fría|rosca e27|bajo consumo", "luz quente|luz fria|soquete e27|econômica"),

        C("DRILLS", Tools, "taladro|taladro percutor|rotomartillo", "furadeira|furadeira de impacto|martelete", "inalámbrico|percutor|mandril|atornillador", "sem fio|de impacto|mandril|parafusadeira"),
        C("SCREWDRIVERS", Tools, "destornillador|juego de destornilladores|puntas", "chave de fenda|jogo de chaves de fenda|bits", "imantado|phillips|plano|de precisión", "imantada|philips|fenda|de precisão"),
        C("ANGLE_GRINDERS", Tools, "amoladora|amoladora angular", "esmerilhadeira|lixadeira angular", "angular|con disco|115 mm", "angular|com disco|115 mm"),
        C("TOOL_BOXES", Tools, "caja de herramientas|caja organizadora", "caixa de ferramentas|caixa organizadora", "plástica|metálica|con bandeja", "plástica|metálica|com bandeja"),
        C("SAWS", Tools, "serrucho|sierra|sierra caladora", "serrote|serra|serra tico-tico", "para madera|de poda|caladora|circular", "para madeira|de poda|tico-tico|circular"),
        C("MEASURING_TAPES", Tools, "cinta métrica|metro|nivel", "trena|fita métrica|nível", "metros|con freno|de acero|láser", "metros|com trava|de aço|laser"),
        C("WRENCHES", Tools, "llave|llave francesa|juego de llaves", "chave|chave inglesa|jogo de chaves", "combinada|tubo|allen|ajustable", "combinada|canhão|allen|ajustável"),
        C("WELDING_MACHINES", Tools, "soldadora|soldadora inverter|equipo de soldar", "máquina de solda|inversora de solda|solda", "inverter|electrodo|mig|amperes", "inversora|eletrodo|mig|amperes"),
        C("PRESSURE_WASHERS", Tools, "hidrolavadora|lavadora de alta presión", "lavadora de alta pressão|lavadora|wap", "alta presión|libras|con accesorios", "alta pressão|libras|com acessórios"),
        C("LADDERS", Tools, "escalera|escalera de aluminio|escalera tijera", "escada|escada de alumínio|escada tesoura", "escalones|plegable|reforzada", "degraus|dobrável|reforçada"),
        C("MULTIMETERS", Tools, "tester|multímetro|pinza amperométrica", "multímetro|alicate amperímetro|testador", "digital|con puntas|true rms", "digital|com pontas|true rms"),

        C("CAR_BRAKE_PADS", AutoParts, "pastillas de freno|pastilla de freno|zapatas", "pastilha de freio|pastilhas de freio|lona de freio", "juego|cerámicas|disco", "jogo|cerâmica|disco"),
        C("CAR_HEADLIGHTS", AutoParts, "óptica|faro|farol", "farol|lanterna traseira|farol de milha", "derecha|izquierda|led|xenón", "direito|esquerdo|led|xenon"),
        C("CAR_BATTERIES", AutoParts, "batería|batería de auto", "bateria|bateria automotiva", "12x65|amperes|libre mantenimiento", "60ah|amperes|selada"),
        C("CAR_SEAT_COVERS", AutoParts, "cubre asiento|funda de asiento|cubreasientos", "capa de banco|capas de banco|forro de banco", "de cuero|universal|juego completo", "de couro|universal|jogo completo"),
        C("CAR_FLOOR_MATS", AutoParts, "alfombra de auto|cubre alfombra|alfombras", "tapete automotivo|tapete de carro|jogo de tapetes", "de goma|a medida|universal", "de borracha|sob medida|universal"),
        C("DISTRIBUTION_KITS", AutoParts, "kit de distribución|correa de distribución|tensor", "kit correia dentada|correia dentada|tensor", "con bomba de agua|poly-v", "com bomba d'água|poly-v"),
        C("SHOCK_ABSORBERS", AutoParts, "amortiguador|amortiguadores|espiral", "amortecedor|amortecedores|mola", "a gas|par|kit", "a gás|par|kit"),
        C("ENGINE_OILS", AutoParts, "aceite|aceite de motor|lubricante", "óleo|óleo de motor|lubrificante", "sintético|semisintético|5w30|10w40", "sintético|semissintético|5w30|10w40"),
        C("CAR_TIRES", AutoParts, "cubierta|neumático|neumáticos", "pneu|pneus|pneu aro", "rodado|175/70 r13|195/55 r15|medida", "aro|175/70 r13|195/55 r15|medida"),
        C("CAR_RIMS", AutoParts, "llanta|llantas|llanta de aleación", "roda|rodas|roda de liga leve", "aleación|deportiva|de chapa|rodado 15", "liga leve|esportiva|de ferro|aro 15"),
        C("ENGINE_CONTROL_MODULES", AutoParts, "módulo de inyección|computadora|ecu", "módulo de injeção|central de injeção|ecu", "inyección|electrónica|programada", "injeção|eletrônica|programada"),
        C("CAR_ENGINE_SENSORS", AutoParts, "sensor|sensor de oxígeno|sonda lambda", "sensor|sensor de oxigênio|sonda lambda", "de posición|de temperatura|de rotación", "de posição|de temperatura|de rotação"),

        C("MOTORCYCLE_HELMETS", Moto, "casco|casco de moto|casco integral", "capacete|capacete de moto|capacete fechado", "rebatible|abierto|con visor|certificado", "escamoteável|aberto|com viseira|inmetro"),
        C("MOTORCYCLE_JACKETS", Moto, "campera de moto|campera|chaqueta", "jaqueta de moto|jaqueta|jaqueta motociclista", "de cuero|con protecciones|impermeable|cordura", "de couro|com proteção|impermeável|cordura"),
        C("MOTORCYCLE_GLOVES", Moto, "guantes de moto|guantes|guante", "luvas de moto|luva|luvas", "con protección|de cuero|táctil|invierno", "com proteção|de couro|touch|inverno"),
        C("MOTORCYCLE_CASES", Moto, "baúl|baúl de moto|top case", "baú|baú de moto|bauleto", "litros|con base|aluminio", "litros|com base|alumínio"),
        C("MOTORCYCLE_TRANSMISSION_KITS", Moto, "kit de transmisión|corona|piñón|cadena", "kit relação|coroa|pinhão|corrente", "dientes|reforzado|con retén", "dentes|reforçado|com retentor"),
        C("MOTORCYCLE_EXHAUSTS", Moto, "escape|silenciador|caño de escape", "escapamento|ponteira|silenciador", "deportivo|racing|acero", "esportivo|racing|inox"),
        C("MOTORCYCLE_BATTERIES", Moto, "batería de moto|batería", "bateria de moto|bateria", "de gel|12v|arranque", "de gel|12v|partida"),
        C("MOTORCYCLE_MIRRORS", Moto, "espejo|espejos|retrovisor", "retrovisor|retrovisores|espelho", "rebatible|par|cromado", "rebatível|par|cromado"),
        C("MOTORCYCLE_COVERS", Moto, "funda cubre moto|cobertor|cubre moto", "capa para moto|capa de cobrir moto|capa protetora", "impermeable|con forro|térmica", "impermeável|forrada|térmica"),

        C("DRESSES", WomenClothing, "vestido|vestidos|solero", "vestido|vestidos|vestidinho", "largo|corto|de fiesta|estampado|de encaje", "longo|curto|de festa|estampado|de renda"),
        C("BLOUSES", WomenClothing, "blusa|camisola|remerón", "blusa|camisa|blusinha", "de gasa|manga larga|escote|con volados", "de chiffon|manga longa|decote|com babados"),
        C("WOMEN_JEANS", WomenClothing, "jean|jeans|pantalón de jean", "calça jeans|jeans|calça", "chupín|tiro alto|elastizado|mom", "skinny|cintura alta|com elastano|mom"),
        C("LEGGINGS", WomenClothing, "calza|calzas|leggings", "legging|calça legging|leggings", "deportiva|térmica|push up|lycra", "fitness|térmica|empina bumbum|suplex"),
        C("WOMEN_SWIMWEAR", WomenClothing, "bikini|malla|traje de baño", "biquíni|maiô|moda praia", "enteriza|con push up|triángulo|tiro alto", "cortininha|com bojo|asa delta|hot pant"),
        C("BRAS", WomenClothing, "corpiño|brasier|top", "sutiã|top|sutiã com bojo", "con aro|deportivo|encaje|sin costura", "com aro|esportivo|renda|sem costura"),
        C("SKIRTS", WomenClothing, "pollera|falda|minifalda", "saia|saia midi|minissaia", "tableada|de jean|larga|tubo", "plissada|jeans|longa|lápis"),
        C("CORSETS", WomenClothing, "corset|faja|faja reductora", "corselet|cinta modeladora|espartilho", "reductora|modeladora|de encaje", "redutora|modeladora|de renda"),

        C("T_SHIRTS", MenClothing, "remera|camiseta|chomba", "camiseta|camisa polo|regata", "manga corta|lisa|estampada|algodón", "manga curta|lisa|estampada|algodão"),
        C("MEN_SHIRTS", MenClothing, "camisa|camisa de vestir", "camisa social|camisa|camisa xadrez", "manga larga|slim fit|a cuadros|de lino", "manga longa|slim fit|xadrez|de linho"),
        C("MEN_JACKETS", MenClothing, "campera|camperón|parka", "jaqueta|casaco|parka", "inflable|de abrigo|impermeable|con capucha", "puffer|de frio|impermeável|com capuz"),
        C("SWEATSHIRTS", MenClothing, "buzo|buzo canguro|sudadera", "moletom|blusa de moletom|casaco de moletom", "con capucha|frisado|canguro|estampado", "com capuz|flanelado|canguru|estampado"),
        C("MEN_PANTS", MenClothing, "pantalón|bermuda|jogging", "calça|bermuda|calça jogger", "cargo|de gabardina|chino|deportivo", "cargo|de sarja|chino|esportiva"),
        C("MALE_UNDERWEAR", MenClothing, "bóxer|boxer|calzoncillo", "cueca|cueca boxer|samba canção", "de algodón|microfibra|pack|sin costura", "de algodão|microfibra|kit|sem costura"),
        C("SOCKS", MenClothing, "medias|soquetes|calcetines", "meia|meias|soquete", "de algodón|deportivas|térmicas|pares", "de algodão|esportivas|térmicas|pares"),
        C("NECKTIES", MenClothing, "corbata|corbatas|moño", "gravata|gravatas|gravata borboleta", "de seda|slim|lisa|rayada", "de seda|slim|lisa|listrada"),

        C("SNEAKERS", Shoes, "zapatillas|zapatilla|zapatillas deportivas", "tênis|tênis esportivo|sapatênis", "running|urbanas|de lona|con cámara de aire", "corrida|casual|de lona|com amortecedor"),
        C("BOOTS", Shoes, "botas|botinetas|borcegos", "bota|botas|coturno", "de cuero|caña alta|con taco|texanas", "de couro|cano alto|com salto|texana"),
        C("SANDALS", Shoes, "sandalias|ojotas|chinelas", "sandália|chinelo|rasteira", "con plataforma|de cuero|de playa|planas", "plataforma|de couro|de praia|rasteirinha"),
        C("DRESS_SHOES", Shoes, "zapatos|zapato de vestir|mocasines", "sapato social|sapato|mocassim", "de cuero|acordonados|formales", "de couro|com cadarço|social"),
        C("FOOTBALL_BOOTS", Shoes, "botines|botines de fútbol|botín", "chuteira|chuteiras|chuteira society", "césped|futsal|con tapones|de fútbol 5", "campo|futsal|com travas|society"),
        C("SLIPPERS", Shoes, "pantuflas|pantuflas de polar|chinelas de levantarse", "pantufa|pantufas|chinelo de quarto", "de polar|de peluche|abrigadas", "de pelúcia|de microfibra|quentinha"),

        C("DIAPERS", Baby, "pañales|pañal|pañales descartables", "fralda|fraldas|fralda descartável", "talle g|talle xxg|hiperpack", "tamanho g|tamanho xxg|pacotão"),
        C("BABY_STROLLERS", Baby, "cochecito|coche de bebé|cochecito paraguas", "carrinho de bebê|carrinho|carrinho guarda-chuva", "travel system|con huevito|plegable|reversible", "travel system|com bebê conforto|dobrável|reversível"),
        C("BABY_CAR_SEATS", Baby, "butaca|silla para auto|huevito", "cadeirinha|bebê conforto|assento de elevação", "para auto|isofix|reclinable", "para carro|isofix|reclinável"),
        C("BABY_BOTTLES", Baby, "mamadera|mamaderas|biberón", "mamadeira|mamadeiras|chuquinha", "anticólicos|de vidrio|tetina|libre de bpa", "anticólica|de vidro|bico|livre de bpa"),
        C("BABY_CLOTHING_SETS", Baby, "conjunto|ajuar|body", "conjunto|enxoval|body", "de algodón|manga larga|de bautismo|ranita", "de algodão|manga longa|de batizado|macacão"),
        C("DIAPER_BAGS", Baby, "bolso maternal|mochila maternal|pañalera", "bolsa maternidade|mochila maternidade|frasqueira", "con cambiador|térmico|ecocuero", "com trocador|térmica|couro sintético"),
        C("BABY_CRIBS", Baby, "cuna|cuna funcional|corralito", "berço|mini berço|cercadinho", "con colchón|de madera|practicuna", "com colchão|de madeira|desmontável"),

        C("ACTION_FIGURES", Toys, "muñeco|figura de acción|figura", "boneco|action figure|figura", "articulado|coleccionable|superhéroe", "articulado|colecionável|super-herói"),
        C("DOLLS", Toys, "muñeca|muñecas|bebote", "boneca|bonecas|bebê reborn", "con accesorios|articulada|que habla", "com acessórios|articulada|que fala"),
        C("BUILDING_BLOCKS", Toys, "bloques|ladrillos|bloques de construcción", "blocos de montar|blocos|peças de montar", "piezas|compatible|encastre", "peças|compatível|encaixe"),
        C("DIECAST_VEHICLES", Toys, "autito|autos de colección|camioncito", "carrinho|miniatura|caminhãozinho", "escala 1:64|a fricción|de metal", "escala 1:64|fricção|de metal"),
        C("BOARD_GAMES", Toys, "juego de mesa|juego de cartas|rompecabezas", "jogo de tabuleiro|jogo de cartas|quebra-cabeça", "familiar|de estrategia|clásico", "familiar|de estratégia|clássico"),
        C("PLUSH_TOYS", Toys, "peluche|peluches|muñeco de peluche", "pelúcia|bicho de pelúcia|urso de pelúcia", "gigante|suave|oso|unicornio", "gigante|macio|urso|unicórnio"),
        C("TOY_ROBOTS", Toys, "robot|robot para armar|robot a control", "robô|robô de montar|robô com controle", "con luces|transformable|solar", "com luzes|transformável|solar"),
        C("RC_CARS", Toys, "auto a control remoto|camioneta a control|dron", "carrinho de controle remoto|carro controle remoto|drone", "recargable|todo terreno|con cámara", "recarregável|off road|com câmera"),

        C("DUMBBELLS", Sports, "mancuernas|pesas|mancuerna", "halteres|anilhas|halter", "regulables|de hierro|engomadas|barra", "reguláveis|de ferro|emborrachados|barra"),
        C("EXERCISE_BIKES", Sports, "bicicleta fija|bici fija|spinning", "bicicleta ergométrica|bike spinning|ergométrica", "magnética|con display|volante", "magnética|com display|roda de inércia"),
        C("BICYCLES", Sports, "bicicleta|bici|mountain bike", "bicicleta|bike|mountain bike", "rodado 29|cambios|freno a disco|aluminio", "aro 29|marchas|freio a disco|alumínio"),
        C("SOCCER_BALLS", Sports, "pelota|pelota de fútbol|balón", "bola|bola de futebol|bola de futsal", "número 5|cosida|oficial", "número 5|costurada|oficial"),
        C("YOGA_MATS", Sports, "colchoneta|mat de yoga|esterilla", "tapete de yoga|colchonete|tapetinho", "antideslizante|enrollable|de goma eva", "antiderrapante|enrolável|eva"),
        C("BOXING_GLOVES", Sports, "guantes de boxeo|guantes|vendas", "luva de boxe|luvas de muay thai|bandagem", "onzas|kick boxing|de cuero", "oz|muay thai|de couro"),
        C("TENNIS_RACKETS", Sports, "raqueta|raqueta de tenis|paleta de pádel", "raquete|raquete de tênis|raquete de beach tennis", "con funda|grafito|encordada", "com capa|grafite|encordoada"),
        C("CAMPING_TENTS", Sports, "carpa|carpa iglú|bolsa de dormir", "barraca|barraca iglu|saco de dormir", "personas|impermeable|con sobretecho", "pessoas|impermeável|com sobreteto"),
        C("SWIMMING_GOGGLES", Sports, "antiparras|gafas de natación|gorra de natación", "óculos de natação|touca de natação|óculos", "antiempañante|de silicona|natación", "antiembaçante|de silicone|natação"),

        C("PERFUMES", Beauty, "perfume|eau de parfum|colonia", "perfume|eau de parfum|colônia", "importado|para hombre|para mujer|edp", "importado|masculino|feminino|edt"),
        C("SHAMPOOS", Beauty, "shampoo|champú|acondicionador", "shampoo|xampu|condicionador", "sin sal|anticaspa|hidratante|keratina", "sem sal|anticaspa|hidratante|queratina"),
        C("BODY_SKIN_CARE_PRODUCTS", Beauty, "crema corporal|crema|loción", "hidratante corporal|creme|loção", "hidratante|nutritiva|aloe vera|piel seca", "hidratante|nutritiva|aloe vera|pele seca"),
        C("LIPSTICKS", Beauty, "labial|lápiz labial|brillo labial", "batom|batom líquido|gloss labial", "mate|larga duración|líquido", "matte|longa duração|líquido"),
        C("HAIR_STRAIGHTENERS", Beauty, "planchita|plancha de pelo|alisadora", "chapinha|prancha alisadora|prancha de cabelo", "de cerámica|titanio|digital", "de cerâmica|titânio|digital|bivolt"),
        C("HAIR_DRYERS", Beauty, "secador de pelo|secador|secador profesional", "secador de cabelo|secador|secador profissional", "iónico|con difusor|watts", "íon|com difusor|watts"),
        C("EPILATORS", Beauty, "depiladora|afeitadora|rasuradora", "depilador|barbeador|aparador de pelos", "eléctrica|inalámbrica|recargable|facial", "elétrico|sem fio|recarregável|facial"),
        C("NAIL_POLISHES", Beauty, "esmalte|esmalte de uñas|esmaltes", "esmalte|esmalte de unha|esmaltes", "semipermanente|uñas|gel|colores", "em gel|unhas|cremoso|cores"),
        C("MAKEUP_BRUSHES", Beauty, "brochas|set de brochas|pinceles de maquillaje", "pincéis|kit de pincéis|pincel de maquiagem", "maquillaje|con estuche|piezas", "maquiagem|com estojo|peças"),

        C("DOG_FOOD", Pets, "alimento para perros|alimento balanceado|comida para perro", "ração para cães|ração|ração para cachorro", "adulto|cachorro|razas pequeñas|bolsa", "adulto|filhote|raças pequenas|saco"),
        C("CAT_FOOD", Pets, "alimento para gatos|comida para gato", "ração para gatos|ração úmida|sachê", "adulto|castrado|gatitos", "adulto|castrado|filhotes"),
        C("PET_BEDS", Pets, "cucha|cama para perro|moisés", "caminha|cama pet|casinha", "acolchonada|lavable|con almohadón", "acolchoada|lavável|com almofada"),
        C("PET_COLLARS", Pets, "collar|pretal|correa", "coleira|peitoral|guia", "ajustable|con correa|reflectivo|antitirones", "ajustável|com guia|refletiva|anti puxão"),
        C("CAT_LITTER", Pets, "piedras sanitarias|arena para gatos|bandeja sanitaria", "areia para gatos|areia sanitária|caixa de areia", "aglomerante|perfumada|bolsa", "aglomerante|perfumada|saco"),
        C("PET_TOYS", Pets, "juguete para perro|pelota|hueso", "brinquedo para cachorro|bolinha|mordedor", "de goma|resistente|interactivo|con sonido", "de borracha|resistente|interativo|com som"),
        C("AQUARIUMS", Pets, "pecera|acuario|filtro para pecera", "aquário|filtro para aquário|aquário marinho", "de vidrio|litros|con tapa|iluminación", "de vidro|litros|com tampa|iluminação"),

        C("BOOKS", BooksMusic, "libro|libros|novela", "livro|livros|romance", "de bolsillo|autoayuda|historia|en español", "de bolso|autoajuda|história|em português"),
        C("MUSIC_ALBUMS", BooksMusic, "cd|vinilo|disco", "cd|vinil|disco", "original|importado|sellado|álbum", "original|importado|lacrado|álbum"),
        C("COMICS", BooksMusic, "historieta|cómic|manga", "gibi|quadrinhos|mangá", "tomo|colección|número", "volume|coleção|edição"),
        C("GUITARS", BooksMusic, "guitarra|guitarra criolla|guitarra eléctrica", "violão|guitarra|violão elétrico", "con funda|cuerdas de nylon|acústica|principiante", "com capa|cordas de nylon|acústico|iniciante"),
        C("KEYBOARD_INSTRUMENTS", BooksMusic, "teclado musical|piano|órgano", "teclado musical|piano digital|órgão", "teclas|sensitivo|con atril", "teclas|sensitivo|com suporte"),
        C("DJ_TURNTABLES", BooksMusic, "bandeja|bandejas|controlador dj", "toca-discos|vitrola|controladora dj", "giradiscos|tocadiscos|usb", "toca discos|retrô|usb"),

        C("LAWN_MOWERS", Garden, "cortadora de césped|cortacésped|bordeadora", "cortador de grama|roçadeira|aparador de grama", "eléctrica|a nafta|con recolector", "elétrico|a gasolina|com recolhedor"),
        C("GARDEN_HOSES", Garden, "manguera|manguera de jardín|regadera", "mangueira|mangueira de jardim|regador", "extensible|con pistola|reforzada|metros", "extensível|com esguicho|trançada|metros"),
        C("PLANT_POTS", Garden, "maceta|macetas|macetero", "vaso|vasos de planta|cachepô", "de cerámica|de plástico|colgante|autorriego", "de cerâmica|de plástico|suspenso|autoirrigável"),
        C("OUTDOOR_FURNITURE", Garden, "juego de jardín|reposera|sillón de jardín", "conjunto de jardim|espreguiçadeira|cadeira de jardim", "de hierro|de ratán|plegable|con almohadones", "de ferro|de rattan|dobrável|com almofadas"),
        C("BARBECUE_GRILLS", Garden, "parrilla|asador|parrilla portátil", "churrasqueira|grelha|churrasqueira portátil", "de hierro|a carbón|con ruedas|para asado", "de ferro|a carvão|com rodas|para churrasco"),
        C("SWIMMING_POOLS", Garden, "pileta|pileta de lona|piscina", "piscina|piscina inflável|piscina de lona", "estructural|inflable|litros|con filtro", "estrutural|inflável|litros|com filtro"),

        C("SCHOOL_NOTEBOOKS", Office, "cuaderno|cuadernos|agenda", "caderno|cadernos|agenda", "tapa dura|rayado|cuadriculado|hojas", "capa dura|pautado|quadriculado|folhas"),
        C("PENS", Office, "birome|bolígrafo|lapicera", "caneta|canetas|caneta esferográfica", "trazo fino|gel|caja", "ponta fina|gel|caixa"),
        C("COLORED_PENCILS", Office, "lápices de colores|lápices|crayones", "lápis de cor|lápis|giz de cera", "colores|acuarelables|largos", "cores|aquareláveis|longos"),
        C("BACKPACKS", Office, "mochila|mochila escolar|morral", "mochila|mochila escolar|bolsa", "con carro|urbana|para notebook|reforzada", "com rodinhas|urbana|para notebook|reforçada"),
        C("WHITEBOARDS", Office, "pizarra|pizarrón|pizarra blanca", "quadro branco|lousa|quadro", "magnética|con marco|de corcho", "magnético|com moldura|de cortiça"),
        C("CALCULATORS", Office, "calculadora|calculadora científica", "calculadora|calculadora científica", "científica|financiera|dígitos", "científica|financeira|dígitos"),

        C("WRISTWATCHES", Accessories, "reloj|reloj pulsera|reloj de hombre", "relógio|relógio de pulso|relógio masculino", "analógico|sumergible|de acero|cronógrafo", "analógico|à prova d'água|de aço|cronógrafo"),
        C("SUNGLASSES", Accessories, "anteojos de sol|lentes de sol|gafas de sol", "óculos de sol|óculos escuros|óculos", "polarizados|aviador|espejados|uv400", "polarizado|aviador|espelhado|uv400"),
        C("WALLETS", Accessories, "billetera|billeteras|monedero", "carteira|carteiras|porta-moedas", "de cuero|con tarjetero|para hombre", "de couro|porta cartão|masculina"),
        C("HANDBAGS", Accessories, "cartera|bandolera|bolso", "bolsa|bolsa tiracolo|bolsa de ombro", "de cuero|de mano|ecocuero|grande", "de couro|de mão|couro sintético|grande"),
        C("EARRINGS", Accessories, "aros|aritos|pendientes", "brinco|brincos|argola", "de plata|acero quirúrgico|perlas", "de prata|aço cirúrgico|pérolas"),
        C("NECKLACES", Accessories, "collar|cadena|gargantilla", "colar|corrente|gargantilha", "de plata|con dije|oro|acero", "de prata|com pingente|ouro|aço"),
        C("SUITCASES", Accessories, "valija|valijas|maleta", "mala de viagem|mala|malas", "de cabina|rígida|con ruedas|set", "de bordo|rígida|com rodinhas|conjunto"),
    ];

    /// <summary>For each category, the other categories of its family (whose nouns it sometimes mentions).</summary>
    public static readonly IReadOnlyDictionary<DemoCategory, DemoCategory[]> Siblings =
        Catalogue.ToDictionary(c => c, c => Catalogue.Where(o => o.Family == c.Family && o != c).ToArray());

    private static string[] Split(string list) => list.Length == 0 ? [""] : list.Split('|');

    private static DemoUnit U(string template, string numbers) => new(template.Split('#'), Split(numbers));

    private static DemoFamily F(string brands, string spanish, string portuguese, UnitKind units, bool colours, bool compatible = false) =>
        new(Split(brands), new Bilingual(spanish, portuguese), units, colours, compatible);

    private static DemoCategory C(string code, DemoFamily family, string esNouns, string ptNouns, string esQualifiers, string ptQualifiers) =>
        new(code, family, new Bilingual(esNouns, ptNouns), new Bilingual(esQualifiers, ptQualifiers));
}

internal enum DemoLanguage { Spanish, Portuguese }

[Flags]
internal enum UnitKind
{
    None = 0, Storage = 1, Electric = 2, Volume = 4, Weight = 8, Length = 16, ScreenSize = 32,
    Pack = 64, ClothingSize = 128, ShoeSize = 256, Age = 512, Year = 1024,
}

/// <summary>A list of phrases in each language, given as <c>|</c>-separated strings.</summary>
internal sealed class Bilingual(string spanish, string portuguese)
{
    public string[] Spanish { get; } = spanish.Split('|');

    public string[] Portuguese { get; } = portuguese.Split('|');

    public string[] In(DemoLanguage language) => language == DemoLanguage.Spanish ? Spanish : Portuguese;
}

/// <summary>A unit written as fixed parts with a number between each pair: "x # unidades" → ["x ", " unidades"].</summary>
internal sealed record DemoUnit(string[] Parts, string[] Numbers);

/// <summary>
/// Related categories: they share brands, a few words, the units they are sold in, colours or not,
/// and whether parts and accessories are named by the brand they fit ("Funda Para Samsung").
/// </summary>
internal sealed record DemoFamily(string[] Brands, Bilingual Words, UnitKind Units, bool Colours, bool Compatible);

/// <summary>A category, its product nouns (the head of a title) and its qualifiers, in both languages.</summary>
internal sealed record DemoCategory(string Code, DemoFamily Family, Bilingual Nouns, Bilingual Qualifiers);
